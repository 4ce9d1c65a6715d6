#!/usr/bin/env bash
# The test command (README): installs what the tests need from Debian when missing, builds, runs every test,
# and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

# Real parts, not mocks: the SMTP tests run Debian's aiosmtpd, the browser tests Debian's Chromium.
missing=()
/usr/bin/python3 -c "import aiosmtpd" >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The production-shaped test puts Debian's nginx (TLS) in front of two app processes.
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing from Debian: ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# axe-core, the npm package the browser tests inject into every page they visit, and @redocly/cli, which lints the
# OpenAPI document (both pinned in package-lock.json).
if [ ! -f tests/SuccessPlans.Tests/Browser/node_modules/axe-core/axe.min.js ] ||
   [ ! -f tests/SuccessPlans.Tests/Browser/node_modules/@redocly/cli/bin/cli.js ]; then
  echo "Installing axe-core and @redocly/cli from npm"
  npm ci --prefix tests/SuccessPlans.Tests/Browser --no-audit --no-fund --loglevel=error >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Hundreds of test hosts would each hold file watchers; polling keeps them under the inotify limit.
export DOTNET_USE_POLLING_FILE_WATCHER=1
# The suite runs as on a non-English server (tests/SuccessPlans.Tests/Infrastructure/TestCulture.cs); the CLI's own
# output stays English, for the closing line below.
export TEST_CULTURE="${TEST_CULTURE:-de-DE}" DOTNET_CLI_UI_LANGUAGE=en
mkdir -p TestResults
dotnet build SuccessPlans.sln -nologo -v q 2>&1 | tee TestResults/test-output.log
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then
  # Two test processes side by side on the two cores: the tests that drive other processes (Chromium, nginx, the app
  # itself) mostly wait on them, the in-process ones mostly compute. Each process has its own statics (culture,
  # listeners), and every test its own database, ports and folders, so the halves cannot meet.
  outside="FullyQualifiedName~.Tests.Browser.|FullyQualifiedName~.Tests.Production.|FullyQualifiedName~.Tests.Startup."
  inside="FullyQualifiedName!~.Tests.Browser.&FullyQualifiedName!~.Tests.Production.&FullyQualifiedName!~.Tests.Startup."
  # Each half also writes a TRX report with every test's duration (the slowest are listed below).
  # A test that runs 5 minutes is taken to hang (the slowest takes about 1): the runner names it, ends its half and the
  # run fails in minutes, instead of holding CI until its own limit with no word of which test.
  hang=(--blame-hang-timeout "${TEST_HANG_TIMEOUT:-5m}" --blame-hang-dump-type none)
  dotnet test tests/SuccessPlans.Tests --no-build "${hang[@]}" --filter "$outside" --logger "trx;LogFileName=$PWD/TestResults/outside.trx" > TestResults/test-outside.log 2>&1 &
  outside_pid=$!
  dotnet test tests/SuccessPlans.Tests --no-build "${hang[@]}" --filter "$inside" --logger "trx;LogFileName=$PWD/TestResults/inside.trx" > TestResults/test-inside.log 2>&1
  inside_status=$?
  wait "$outside_pid"
  outside_status=$?
  # A half ended by the hang timeout leaves the processes its tests started (the app, Playwright's driver) running.
  pkill -f "$PWD/tests/SuccessPlans.Tests/bin/" 2>/dev/null || true
  cat TestResults/test-outside.log TestResults/test-inside.log | tee -a TestResults/test-output.log
  # Where CI's minutes go: the ten slowest tests (duration="hh:mm:ss.fffffff" in the TRX reports).
  echo "Slowest tests:"
  cat TestResults/*.trx 2>/dev/null | grep -o '<UnitTestResult [^>]*' |
    sed -E 's/.*testName="([^"]*)".*duration="([0-9:.]+)".*/\2 \1/' | sort -r | head -10 || true
  [ "$inside_status" -eq 0 ] && [ "$outside_status" -eq 0 ] || status=1
fi

# One closing line for CI, summed over the test assemblies' own summaries.
read -r passed failed < <(grep -E "^(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+" TestResults/test-output.log |
  sed -E 's/.*Failed: +([0-9]+), +Passed: +([0-9]+).*/\2 \1/' |
  awk '{p+=$1; f+=$2} END {print p+0, f+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build error runs no test
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
