#!/usr/bin/env bash
# Issue 15: the coordinator's pages against a minimal ASP.NET Core page, side by side in one run.
#
#   bash infra/scripts/bench-pages.sh            # 3 rounds of 15 s per page (the issue's measure)
#   bash infra/scripts/bench-pages.sh --quick    # 1 round of 5 s (a quick look; noisier)
# Each page (and the minimal page) is first warmed for WARMUP seconds (5; 2 with --quick), not measured; the first
# user's pages for FIRST_WARMUP (3 x WARMUP, at least 15 s: the JIT's tiered compilation of a page's code goes on for about a minute).
#   ROUNDS=2 SECONDS_PER_RUN=10 bash infra/scripts/bench-pages.sh
#   bash infra/scripts/bench-pages.sh --mixed    # issue 15's headroom and memory: 60 s of mixed coordinator, provider
#                                                # and cabinet traffic on a 50,000-student tenant, wrk -c32, with the
#                                                # nightly check started by its Admin ("Run now") after 30 s; prints
#                                                # errors, the server's working set each 10 s and after, and the check's run
#
# Builds Release, starts the app on a fresh demo database (SQLite) as Staging (not Development: Secure cookies,
# exception page, HSTS, log filters as in Production; Production itself refuses the demo and plain HTTP), signs in
# as the demo coordinator (then the scale tenant's coordinators of 2,000 and 10,000), and runs wrk -t2 -c32 against the minimal page and each coordinator page in turn, the
# minimal page right before each. Prints requests/s, p99, and the ratio to the minimal run just before.
# The minimal page is `benchmark minimal` (src/SuccessPlans.Web/Hosting/Benchmarks.cs): a second process over the
# same database file, one AsNoTracking query of 25 rows as HTML, no auth. It is no route of the real app.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS="${ROUNDS:-3}"; SECONDS_PER_RUN="${SECONDS_PER_RUN:-15}"; WARMUP="${WARMUP:-5}"; MIXED=""
if [ "${1:-}" = "--quick" ]; then ROUNDS=1; SECONDS_PER_RUN=5; WARMUP=2; fi
if [ "${1:-}" = "--mixed" ]; then MIXED=1; fi
# The scale tenant's size: 10,000 students for the pages, 50,000 for the mixed load (issue 15's memory and headroom).
SCALE_STUDENTS="${SCALE_STUDENTS:-$([ -n "$MIXED" ] && echo 50000 || echo 10000)}"
APP_PORT="${APP_PORT:-5190}"; MIN_PORT="${MIN_PORT:-5191}"
APP="http://127.0.0.1:$APP_PORT"; MIN="http://127.0.0.1:$MIN_PORT"

if ! command -v wrk >/dev/null; then
  echo "Installing wrk from Debian"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# NO_BUILD=1 measures the Release build already there (e.g. a baseline built before a change).
[ -n "${NO_BUILD:-}" ] || dotnet build -c Release src/SuccessPlans.Web -v q -nologo >/dev/null
# DLL=PATH measures another build (e.g. a copy of the build before a change), for CPU=1's side-by-side pairs.
dll="${DLL:-src/SuccessPlans.Web/bin/Release/net10.0/SuccessPlans.Web.dll}"
case "$dll" in /*) ;; *) dll="$PWD/$dll" ;; esac

work="$(mktemp -d /tmp/successplans-bench-pages.XXXXXX)"
pids=()
cleanup() {
  status=$?
  set +e +o pipefail  # the cleanup itself must run to the end
  if [ "$status" -ne 0 ]; then echo "failed ($status); the app's log:"; grep -A6 '^fail:' "$work/app.log" 2>/dev/null | head -40; tail -10 "$work/minimal.log" 2>/dev/null; fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do for _ in $(seq 1 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done; kill -9 "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# DB_FROM=FILE starts from a copy of a database that already holds the demo and the scale tenant (KEEP=1 leaves the
# run's folder with its successplans.db): seeding 50,000 students takes minutes, a copy a second.
if [ -n "${DB_FROM:-}" ]; then for f in "$DB_FROM" "$DB_FROM-wal" "$DB_FROM-shm"; do if [ -f "$f" ]; then cp "$f" "$work/successplans.db${f#"$DB_FROM"}"; fi; done; fi

# The app, as it runs for a user: rate limiter, access log, jobs, logging all on, with the Dockerfile's malloc setting and
# the JIT's from the app's runtimeconfig (APP_ENV="MALLOC_ARENA_MAX=8" measures without the first, APP_ENV="DOTNET_TC_CallCountThreshold=0x1e"
# with the JIT's default threshold, APP_ENV="DOTNET_gcServer=0" with workstation GC). Its content root is the project
# (seed-data is found from there); its data (database, mail, keys) go to the throwaway folder.
( cd src/SuccessPlans.Web && ASPNETCORE_ENVIRONMENT=Staging Demo__Enabled=true App__BaseUrl="$APP" \
    ForwardedHeaders__KnownProxies=127.0.0.1 Database__DataDirectory="$work" Email__PickupDirectory="$work/mail" ASPNETCORE_URLS="$APP" \
    MALLOC_ARENA_MAX=1 exec env ${APP_ENV:-} dotnet "$dll" >"$work/app.log" 2>&1 ) &
pids+=($!)
# The sign-in page, not just /health/live: the demo is seeded after the app starts listening (503 until then).
for _ in $(seq 1 300); do curl -fsS -o /dev/null -H "X-Forwarded-Proto: https" "$APP/Account/Login" >/dev/null 2>&1 && break; sleep 1; done
curl -fsS -o /dev/null -H "X-Forwarded-Proto: https" "$APP/Account/Login" >/dev/null || { echo "the app did not start:"; tail -20 "$work/app.log"; exit 1; }
db="$(ls "$work"/*.db | head -1)"

dotnet "$dll" benchmark minimal --db "$db" --urls "$MIN" >"$work/minimal.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -fsS "$MIN/" >/dev/null 2>&1 && break; sleep 1; done
# The yardstick must be the page the issue names: 25 rows. A minimal page that finds none is no yardstick (the ratios
# only: --mixed and CPU=1 do not use it, and may measure a build from before 2026-12-07, whose minimal page found none).
if [ -z "${MIXED:-}" ] && [ -z "${CPU:-}" ]; then
  min_rows=$(curl -fsS "$MIN/" | grep -o "<tr>" | wc -l)
  [ "$min_rows" -eq 25 ] || { echo "the minimal page lists $min_rows rows, not 25:"; tail -20 "$work/minimal.log"; exit 1; }
fi

# Issue 15's second tenant: one school of 2,000 students (school@scale.test) and a coordinator of 10,000
# (district@scale.test), added to the same database while the app runs (src/SuccessPlans.Web/Hosting/ScaleTenant.cs).
# USERS="coordinator@demo.test" measures the demo alone.
USERS="${USERS:-coordinator@demo.test school@scale.test district@scale.test}"
if [ -n "${DB_FROM:-}" ]; then
  echo "The database of $DB_FROM (the scale tenant already in it)"
elif [ -n "$MIXED" ] || grep -q 'scale.test' <<<"$USERS"; then
  echo "Adding the scale tenant ($SCALE_STUDENTS students, the nightly check run once)"
  dotnet "$dll" benchmark scale-tenant --db "$db" --students "$SCALE_STUDENTS" | tail -1
fi

# Signing in and wrk as a browser (proto, cookies_of, sign_in_at, write_browser_lua): shared with bench-ab.sh.
source infra/scripts/bench-lib.sh
sign_in() { sign_in_at "$APP" "$1"; } # email -> the auth and antiforgery cookies
get() { curl -fsS "${proto[@]}" -H "Cookie: $cookie" "$APP$1" || { echo "GET $1 failed" >&2; return 1; }; }

if [ -n "$MIXED" ]; then
  admin="$(admin_sign_in_at "$APP" admin@scale.test)"
  [ -n "$admin" ] || { echo "the Admin's sign-in failed"; cat "$work/2fa.headers"; exit 1; }
  coordinator="$(sign_in district@scale.test)"; provider="$(sign_in provider@scale.test)"; cabinet="$(sign_in cabinet@scale.test)"
  cookie="$coordinator"; student="$(get '/Students?OpenNeeds=true' | grep -o 'href="/Students/[0-9]*"' | head -1 | grep -o '[0-9]*')"
  cookie="$provider"; referral="$(get '/Provider/Referrals' | grep -o 'href="/Provider/Referrals/[0-9]*"' | head -1 | sed 's/href="//;s/"$//')"
  # Each request takes the next address of this list, round and round: 6 coordinator, 2 provider, 2 cabinet requests in 10.
  {
    echo 'local reqs = {'
    for p in /Home/Coordinator /Students "/Students?OpenNeeds=true" "/Students?Grade=03" "/Students/$student" "/Students?Sort=review"; do echo "  {\"$p\", \"$coordinator\"},"; done
    for p in /Provider/Referrals "$referral"; do echo "  {\"$p\", \"$provider\"},"; done
    for p in /Cabinet /Cabinet; do echo "  {\"$p\", \"$cabinet\"},"; done
    echo '}'
    echo 'local i = 0'
    echo 'request = function() i = i + 1; local r = reqs[(i % #reqs) + 1]; return wrk.format("GET", r[1], { ["Cookie"] = r[2], ["X-Forwarded-Proto"] = "https" }) end'
  } >"$work/mixed.lua"
  pid="${pids[0]}"  # the app: its subshell exec'd dotnet
  # RSS (what the target names) and PSS: the runtime's W^X maps its code twice, which RSS counts twice and PSS once.
  # PSS splits into anonymous memory (the GC heap, SQLite's page caches, native allocations) and mapped files (code, the database if mapped).
  rss() { printf '%s (PSS %s: anonymous %s, files %s)' "$(awk '/^VmRSS/ {printf "%d MB", $2/1024}' "/proc/$pid/status")" \
    "$(awk '/^Pss:/ {printf "%d MB", $2/1024}' "/proc/$pid/smaps_rollup")" "$(awk '/^Pss_Anon:/ {printf "%d MB", $2/1024}' "/proc/$pid/smaps_rollup")" \
    "$(awk '/^Pss_File:/ {printf "%d MB", $2/1024}' "/proc/$pid/smaps_rollup")"; }
  echo "mixed load: wrk -t2 -c32 -d60s over the scale tenant ($SCALE_STUDENTS students), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
  echo "  server working set before: $(rss)"
  # A 30 s timeout: a slow answer counts in the latency, not as an error (wrk's default gives up after 2 s).
  wrk -t2 -c32 -d60s --timeout 30s --latency -s "$work/mixed.lua" "$APP" >"$work/mixed.out" &
  wrk_pid=$!
  for t in 10 20 30 40 50; do
    sleep 10
    if [ "$t" = 30 ]; then
      echo "  ${t} s: the Admin starts the nightly check (Run now answered $(run_job_at "$APP" "$admin" nightly-check)); working set $(rss)"
    else
      echo "  ${t} s: working set $(rss)"
    fi
  done
  wait "$wrk_pid"
  echo "  60 s: working set after the run $(rss), peak $(awk '/^VmHWM/ {printf "%d MB", $2/1024}' "/proc/$pid/status")"
  # SMAPS_TO=FILE keeps the server's memory map as it stood after the run, to see what holds the working set.
  if [ -n "${SMAPS_TO:-}" ]; then cp "/proc/$pid/smaps" "$SMAPS_TO"; fi
  grep -E 'Requests/sec|Non-2xx|Socket errors|requests in| 50%| 75%| 90%| 99%' "$work/mixed.out" | sed 's/^/  /'
  # wrk counts only the answers it saw in the 60 s; the app's log has every failure, also one that came after.
  echo "  non-2xx answers (wrk): $(awk '/Non-2xx/ {print $NF}' "$work/mixed.out" | grep . || echo 0); requests the app failed (its log): $(grep -c '^fail: Microsoft.AspNetCore' "$work/app.log" || true)"
  grep -A3 '^fail: Microsoft.AspNetCore' "$work/app.log" | grep -oE '(SqliteException|Exception)[^.]*: [^.]*' | sort | uniq -c | head -5 | sed 's/^/    /' || true
  cookie="$admin"
  echo "  app after the load: working set $(rss), $(awk '/^Threads/ {print $2}' "/proc/$pid/status") threads"
  runs() { job_runs_at "$APP" "$admin"; }
  for _ in $(seq 1 60); do runs | grep -q 'running' || break; sleep 2; done
  echo "  the nightly check's run (Jobs page: job, started, took, status, summary, by):"; runs | grep 'nightly-check' | sed 's/^ */    /'
  exit 0
fi

# The demo's coordinator meets a worklist with the nightly check's flags, as on any morning after the demo's first night:
# the demo is seeded without a check (a fresh demo's flags come at its first nightly hour, or with its Admin's Run now),
# so its Admin runs one here, as the README says (the scale tenant's check ran when it was added). Run again on a
# database that has them (DB_FROM), it is an ordinary night and changes nothing.
if grep -q 'demo.test' <<<"$USERS"; then
  demo_admin="$(admin_sign_in_at "$APP" admin@demo.test)"
  [ -n "$demo_admin" ] || { echo "the demo Admin's sign-in failed"; cat "$work/2fa.headers"; exit 1; }
  last_run() { { job_runs_at "$APP" "$demo_admin" | grep 'nightly-check' || true; } | head -1 | sed 's/^ *//'; }
  before="$(last_run)"
  code="$(run_job_at "$APP" "$demo_admin" nightly-check)"
  [ "$code" = 302 ] || { echo "the demo's nightly check was not started (Run now answered $code)"; exit 1; }
  # Its run is listed once it has begun (newest first): wait for a new one that is no longer running.
  for _ in $(seq 1 300); do run="$(last_run)"; [ -n "$run" ] && [ "$run" != "$before" ] && ! grep -q 'running' <<<"$run" && break; sleep 1; done
  grep -q 'succeeded' <<<"$run" || { echo "the demo's nightly check did not succeed: $run"; exit 1; }
  echo "The demo's nightly check (its Admin's Run now): $run"
fi

write_browser_lua "$work/browser.lua"
as_user() { # duration url cookie [wrk options...]: wrk -t2 -c32 as the signed-in user of the cookie
  local d="$1" url="$2" c="$3"; shift 3
  BENCH_COOKIE="$c" wrk -t2 -c32 -d"$d" "$@" -s "$work/browser.lua" "$url"
}
# wrk's summary: requests/s and p99 (ms), from --latency.
measure() { # url [cookie]
  local out
  if [ -n "${2:-}" ]; then out="$(as_user "${SECONDS_PER_RUN}s" "$1" "$2" --latency)"
  else out="$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "$1")"; fi
  local rps p99 errors
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.1f", v}' <<<"$out")"
  errors="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
  echo "$rps $p99 ${errors:-0}"
}

# CPU=1: the app process's CPU time per request (utime+stime from /proc/PID/stat around a wrk -c16 run as the user),
# no minimal page and no ratio. On a shared machine requests/s follow the neighbours; CPU a request follows the code.
# Compare two builds with the same DB_FROM, alternating: DLL=/tmp/base/SuccessPlans.Web.dll CPU=1 NO_BUILD=1 ...
# SQL commands a request: add APP_ENV="Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command=Information"
# (the log's "Executed DbCommand" lines during the measured run; the logging itself costs CPU, so not in the same run).
if [ -n "${CPU:-}" ]; then
  set +o pipefail  # "grep | head -1" may end grep with SIGPIPE: the address read is still right
  pid="${pids[0]}"; ticks="$(getconf CLK_TCK)"
  cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
  echo "CPU a request of the app ($dll), wrk -t2 -c16 ${SECONDS_PER_RUN} s after ${WARMUP} s of warm-up, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
  printf '%-22s %-34s %9s %9s %9s\n' user page requests "CPU ms" "SQL"
  commands() { grep -c 'Executed DbCommand' "$work/app.log" || true; }
  for user in $USERS; do
    cookie="$(sign_in "$user")"
    [ -n "$cookie" ] || { echo "sign-in failed for $user"; exit 1; }
    student="$(get '/Students?OpenNeeds=true' | grep -o 'href="/Students/[0-9]*"' | head -1 | grep -o '[0-9]*')"
    refer="$(get "/Students/$student" | grep -o 'href="/Students/[0-9]*/Needs/[0-9]*/Refer"' | head -1 | sed 's/href="//;s/"$//')"
    read -r -a pages <<<"${PAGES:-/Home/Coordinator /Students /Students?Tier=2 /Students?OpenNeeds=true /Students?OpenFlags=true /Students?Band=Chronic /Students/$student $refer}"
    for p in "${pages[@]}"; do
      code="$(curl -s -o /dev/null -w '%{http_code}' "${proto[@]}" -H "Cookie: $cookie" "$APP$p")"
      [ "$code" = 200 ] || { echo "$user: $p answered $code, not 200"; exit 1; }
      BENCH_COOKIE="$cookie" wrk -t2 -c16 -d"${WARMUP}s" -s "$work/browser.lua" "$APP$p" >/dev/null
      before="$(cpu_ticks)"; sql_before="$(commands)"
      out="$(BENCH_COOKIE="$cookie" wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" -s "$work/browser.lua" "$APP$p")"
      after="$(cpu_ticks)"; sleep 0.5; sql_after="$(commands)"
      n="$(awk '/requests in/ {print $1}' <<<"$out")"
      printf '%-22s %-34s %9s %9s %9s\n' "$user" "$p" "$n" "$(awk -v t=$((after - before)) -v hz="$ticks" -v n="$n" 'BEGIN {printf "%.1f", t * 1000 / hz / n}')" \
        "$(awk -v c=$((sql_after - sql_before)) -v n="$n" 'BEGIN {printf "%.1f", c / n}')"
    done
  done
  exit 0
fi

echo "wrk -t2 -c32, $ROUNDS round(s) of ${SECONDS_PER_RUN} s after ${WARMUP} s of warm-up per page, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
printf '%-22s %-5s %-34s %10s %9s %10s %9s %6s %7s\n' user round page "page rps" "p99 ms" "min rps" "min p99" ratio non2xx
for user in $USERS; do
  cookie="$(sign_in "$user")"
  [ -n "$cookie" ] || { echo "sign-in failed for $user"; cat "$work/login.headers"; exit 1; }
  # The pages: ids are read from the pages themselves.
  student="$(get '/Students?OpenNeeds=true' | grep -o 'href="/Students/[0-9]*"' | head -1 | grep -o '[0-9]*')"
  refer="$(get "/Students/$student" | grep -o 'href="/Students/[0-9]*/Needs/[0-9]*/Refer"' | head -1 | sed 's/href="//;s/"$//')"
  # The review screen: the walk through the student's class, where /Review/Student/{id} (a flag's link) leads.
  review="$(curl -sS -o /dev/null -w '%{redirect_url}' "${proto[@]}" -H "Cookie: $cookie" "$APP/Review/Student/$student" | sed "s|^https\?://[^/]*||")"
  school="$(get '/Students' | grep -o '<option value="[0-9][0-9]*"' | head -1 | grep -o '[0-9]*')"
  # The grade filter's first choice: its value is the roster's spelling ("PK"), its text the grade in words ("Pre-K").
  grade="$(get '/Students' | tr '\n' ' ' | grep -o '<select id="grade"[^>]*>.*' | grep -o '<option value="[^"][^"]*"' | head -1 | sed 's/<option value="//;s/"$//')"
  pages=(
    "/Home/Coordinator"
    "/Students"
    "/Students?Q=A"
    "/Students?School=$school"
    "/Students?Grade=$grade"
    "/Students?Tier=2"
    "/Students?Plan=active"
    "/Students?Plan=none"
    "/Students?OpenNeeds=true"
    "/Students?OpenFlags=true"
    "/Students?Sort=review"
    "/Students/$student"
    "$review"
    "$refer"
  )
  # PAGES="/health/live /Account/Login" measures other addresses instead (a look at where a request's time goes).
  [ -z "${PAGES:-}" ] || read -r -a pages <<<"$PAGES"
  for p in "${pages[@]}"; do
    code="$(curl -s -o /dev/null -w '%{http_code}' "${proto[@]}" -H "Cookie: $cookie" "$APP$p")"
    [ "$code" = 200 ] || { echo "$user: $p answered $code, not 200"; exit 1; }
  done

  # Warm-up, not measured: the JIT compiles each page's code at tier 0 first and optimises it after some calls, in the
  # background; a page measured cold pays for that (the minimal page, with a tenth of the code, much less). It goes on
  # for about a minute of a page's load: in a fresh process the student page's CPU a request fell from 12.3 ms in its
  # first 5 s to 3.6 ms after 80 s (2026-12-04). So the first user's pages are warmed longer (FIRST_WARMUP s each,
  # 3 x WARMUP), then every user's WARMUP s as before; the rounds measure the app as it runs after its first minutes.
  # At least 15 s even with --quick: after 6 s the demo's student page still served 806-880 requests/s, and 1,030-1,075
  # once its code was optimised, 16 s in (2026-12-06); the scale users' pages run the same code, warmed by then.
  first=$((WARMUP * 3)); [ "$first" -ge 15 ] || first=15
  warm="$WARMUP"; [ "$user" != "${USERS%% *}" ] || warm="${FIRST_WARMUP:-$first}"
  for p in "${pages[@]}"; do
    wrk -t2 -c32 -d"${warm}s" "$MIN/" >/dev/null
    as_user "${warm}s" "$APP$p" "$cookie" >/dev/null
  done

  for round in $(seq 1 "$ROUNDS"); do
    for p in "${pages[@]}"; do
      read -r mrps mp99 _ < <(measure "$MIN/")
      read -r rps p99 errs < <(measure "$APP$p" "$cookie")
      ratio="$(awk -v a="$rps" -v b="$mrps" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')"
      printf '%-22s %-5s %-34s %10s %9s %10s %9s %6s %7s\n' "$user" "$round" "$p" "$rps" "$p99" "$mrps" "$mp99" "$ratio" "$errs"
    done
  done
done
