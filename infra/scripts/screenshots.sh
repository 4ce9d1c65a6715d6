#!/usr/bin/env bash
# Takes a screenshot of each role's main page on the demo community, for the README:
#   bash infra/scripts/screenshots.sh        -> infra/screenshots/*.png
# It is the browser test DemoScreenshotTests (real Chromium, axe-checked pages) writing where we keep them.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x /usr/bin/chromium ] || { echo "Installing Debian's chromium"; sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"; $sudo apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; }
[ -f tests/SuccessPlans.Tests/Browser/node_modules/axe-core/axe.min.js ] || npm ci --prefix tests/SuccessPlans.Tests/Browser --no-audit --no-fund --loglevel=error >/dev/null
export SCREENSHOTS_DIR="$PWD/infra/screenshots"
mkdir -p "$SCREENSHOTS_DIR"
dotnet test tests/SuccessPlans.Tests --filter "FullyQualifiedName~DemoScreenshotTests.Each_roles_main_page" --logger "console;verbosity=minimal"
ls -1 "$SCREENSHOTS_DIR"
