#!/usr/bin/env bash
# Issue 15: two builds (or two databases) side by side, the CPU a request of each, on this shared machine.
#
#   DLL_A=/tmp/base/SuccessPlans.Web.dll DB_A=FILE DB_B=FILE BENCH_USER=district@scale.test \
#     bash infra/scripts/bench-ab.sh /Home/Coordinator /Students/2125 "/Students?Sort=review"
#
# Starts app A and app B at once (Staging, as bench-pages.sh does), each on its own copy of its database, signs in to
# both as BENCH_USER (default coordinator@demo.test, the demo's password), and for each page alternates ROUNDS (4) runs of 3 s
# of wrk -t1 -cCONN (8) on A, then on B, after one unmeasured run each. It prints the CPU time of each app's process a
# request (utime + stime) and B/A: both apps see the same neighbours in the same minute, which a figure alone or two runs
# one after the other do not. DLL_A and DLL_B default to this checkout's Release build; DB_A and DB_B are required (a
# database kept by bench-pages.sh with KEEP=1, which holds the demo and the scale tenant). A's database may be migrated
# by an older build, B's by a newer one.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DB_A:?DB_A: the database file of app A}" "${DB_B:?DB_B: the database file of app B}"
here="$PWD/src/SuccessPlans.Web/bin/Release/net10.0/SuccessPlans.Web.dll"
DLL_A="${DLL_A:-$here}"; DLL_B="${DLL_B:-$here}"
USER_EMAIL="${BENCH_USER:-coordinator@demo.test}"
ROUNDS="${ROUNDS:-4}"; CONN="${CONN:-8}"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }

work="$(mktemp -d /tmp/successplans-bench-ab.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

# Signing in and wrk as a browser (proto, cookies_of, sign_in_at, write_browser_lua): shared with bench-pages.sh.
source infra/scripts/bench-lib.sh

start() { # name port db dll
  local dir="$work/$1"; mkdir -p "$dir"; cp "$3" "$dir/successplans.db"
  ( cd src/SuccessPlans.Web && exec env ASPNETCORE_ENVIRONMENT=Staging Demo__Enabled=true App__BaseUrl="http://127.0.0.1:$2" \
      ForwardedHeaders__KnownProxies=127.0.0.1 Database__DataDirectory="$dir" Email__PickupDirectory="$dir/mail" \
      ASPNETCORE_URLS="http://127.0.0.1:$2" MALLOC_ARENA_MAX=1 dotnet "$4" >"$dir/app.log" 2>&1 ) &
  pids+=($!)
}
start A 5301 "$DB_A" "$DLL_A"; start B 5302 "$DB_B" "$DLL_B"
for port in 5301 5302; do
  for _ in $(seq 1 120); do curl -fs -o /dev/null "${proto[@]}" "http://127.0.0.1:$port/Account/Login" && break; sleep 1; done
done

sign_in() { sign_in_at "http://127.0.0.1:$1" "$USER_EMAIL"; } # port -> the auth and antiforgery cookies
cookieA="$(sign_in 5301)"; cookieB="$(sign_in 5302)"
[ -n "$cookieA" ] && [ -n "$cookieB" ] || { echo "sign-in failed for $USER_EMAIL"; exit 1; }

write_browser_lua "$work/browser.lua"
run() { # port pid cookie url -> "requests ticks"
  local before after out
  before="$(awk '{print $14 + $15}' "/proc/$2/stat")"
  out="$(BENCH_COOKIE="$3" wrk -t1 -c"$CONN" -d3s -s "$work/browser.lua" "http://127.0.0.1:$1$4")"
  after="$(awk '{print $14 + $15}' "/proc/$2/stat")"
  echo "$(awk '/requests in/ {print $1}' <<<"$out") $((after - before))"
}
hz="$(getconf CLK_TCK)"
echo "A: $DLL_A on $DB_A; B: $DLL_B on $DB_B; $USER_EMAIL, wrk -t1 -c$CONN, $ROUNDS x 3 s each, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
for url in "$@"; do
  for side in "5301 ${pids[0]} $cookieA" "5302 ${pids[1]} $cookieB"; do
    read -r port pid cookie <<<"$side"
    code="$(curl -s -o /dev/null -w '%{http_code}' "${proto[@]}" -H "Cookie: $cookie" "http://127.0.0.1:$port$url")"
    [ "$code" = 200 ] || { echo "$url answered $code on port $port, not 200"; exit 1; }
    run "$port" "$pid" "$cookie" "$url" >/dev/null
  done
  nA=0; tA=0; nB=0; tB=0
  for _ in $(seq 1 "$ROUNDS"); do
    read -r n t < <(run 5301 "${pids[0]}" "$cookieA" "$url"); nA=$((nA + n)); tA=$((tA + t))
    read -r n t < <(run 5302 "${pids[1]}" "$cookieB" "$url"); nB=$((nB + n)); tB=$((tB + t))
  done
  awk -v u="$url" -v na="$nA" -v ta="$tA" -v nb="$nB" -v tb="$tB" -v hz="$hz" 'BEGIN {
    a = ta * 1000 / hz / na; b = tb * 1000 / hz / nb
    printf "%-44s A %6d requests %6.2f ms CPU each   B %6d requests %6.2f ms CPU each   B/A %.2f\n", u, na, a, nb, b, b / a }'
done
