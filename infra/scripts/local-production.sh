#!/usr/bin/env bash
# The production shape on one machine without Docker: nginx terminating TLS (a throwaway certificate) in front of two
# app processes in the Production environment on one database (SQLite here; set SQLSERVER to a connection string to
# use SQL Server), emails written as .eml files. The same shape as ProductionShapeTests and infra/docker/compose.yaml.
#
#   bash infra/scripts/local-production.sh            # runs until Ctrl-C; prints the address and the operator's login
#   bash infra/scripts/local-production.sh --check    # starts, signs in over HTTPS through nginx, stops (exit 0 = works)
#
# Settings (environment): HTTPS_PORT (8443), APP_DLL (a built SuccessPlans.Web.dll; default: publish Release first),
# OPERATOR_EMAIL, OPERATOR_PASSWORD, SQLSERVER, KEEP=1 (keep the working folder).
set -euo pipefail
cd "$(dirname "$0")/../.."

HTTPS_PORT="${HTTPS_PORT:-8443}"
OPERATOR_EMAIL="${OPERATOR_EMAIL:-ops@example.org}"
OPERATOR_PASSWORD="${OPERATOR_PASSWORD:-Operator-Password-2026!}"
CHECK=""; [ "${1:-}" = "--check" ] && CHECK=1

sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
for tool in nginx openssl curl; do
  if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    echo "Installing $tool from Debian"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$tool" >/dev/null
  fi
done
nginx="$(command -v nginx || echo /usr/sbin/nginx)"

work="$(mktemp -d /tmp/successplans-local-production.XXXXXX)"
pids=()
cleanup() {
  status=$?
  set +e +o pipefail
  if [ "$status" -ne 0 ]; then echo "failed ($status); the last lines of each log:"; for f in "$work"/*.log; do echo "== $f"; tail -15 "$f"; done; fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do for _ in $(seq 1 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done; kill -9 "$p" 2>/dev/null; done
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dll="${APP_DLL:-}"
if [ -z "$dll" ]; then
  echo "Publishing Release"
  dotnet publish src/SuccessPlans.Web -c Release -o "$work/app" -v q -nologo >/dev/null
  dll="$work/app/SuccessPlans.Web.dll"
fi

# What every node shares: the environment of production (appsettings.json + these), one database, one mail folder.
export ASPNETCORE_ENVIRONMENT=Production
export App__BaseUrl="https://localhost:$HTTPS_PORT"
export Email__Delivery=Pickup Email__PickupDirectory="$work/mail" Email__FromAddress="no-reply@localhost"
export DOTNET_hostBuilder__reloadConfigOnChange=false
# The memory settings of the Dockerfile (infra/RUNBOOK.md, "Memory").
export MALLOC_ARENA_MAX=1
if [ -n "${SQLSERVER:-}" ]; then
  # The schema is created on the first start here; a real deployment runs infra/sql/ (RUNBOOK, "Database").
  export Database__Provider=SqlServer ConnectionStrings__SqlServer="$SQLSERVER" Database__MigrateOnStart=true
else
  export ConnectionStrings__Sqlite="Data Source=$work/app.db"
fi

# The platform operator, as the RUNBOOK's "First tenant" says (this also creates the schema).
(cd "$work" && dotnet "$dll" create-operator --email "$OPERATOR_EMAIL" --password "$OPERATOR_PASSWORD" >"$work/create-operator.log" 2>&1)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=()
for node in a b; do
  port="$(free_port)"; ports+=("$port")
  (cd "$work" && ASPNETCORE_URLS="http://127.0.0.1:$port" exec dotnet "$dll" >"$work/node-$node.log" 2>&1) &
  pids+=($!)
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break; sleep 1; done
  curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null || { echo "a node did not start"; exit 1; }
done

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
user=""; [ "$(id -u)" -eq 0 ] && user="user root;"
cat >"$work/nginx.conf" <<EOF
$user
worker_processes 1;
pid $work/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body; proxy_temp_path $work/nginx-proxy; fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi; scgi_temp_path $work/nginx-scgi;
  upstream successplans { server 127.0.0.1:${ports[0]}; server 127.0.0.1:${ports[1]}; }
  server {
    listen 127.0.0.1:$HTTPS_PORT ssl;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    location / {
      proxy_pass http://successplans;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
EOF
"$nginx" -p "$work" -c "$work/nginx.conf" -e "$work/nginx.log" -g "daemon off;" &
pids+=($!)
base="https://localhost:$HTTPS_PORT"
for _ in $(seq 1 30); do curl -ksS -o /dev/null "$base/health/live" 2>/dev/null && break; sleep 0.5; done

if [ -z "$CHECK" ]; then
  echo
  echo "SuccessPlans in Production: $base (a self-signed certificate: accept it in the browser)"
  echo "Sign in as $OPERATOR_EMAIL / $OPERATOR_PASSWORD; the first sign-in sets up the second factor."
  echo "Emails (the first Admin's invitation) are .eml files in $work/mail. Ctrl-C stops everything."
  wait
  exit 0
fi

# The check: HTTPS through nginx, the sign-in form with its antiforgery token, and the operator's sign-in, which
# leads to setting up the second factor (Production: Secure cookies, forwarded https from a known proxy).
headers="$work/login.headers"
page="$(curl -ksS --cacert "$work/cert.pem" -D "$headers" -c "$work/jar" -b "$work/jar" "$base/Account/Login")"
# (No HSTS here: ASP.NET Core never sends it for localhost; ProductionShapeTests checks it under a real host name.)
grep -qi '^set-cookie: successplans.af=.*secure' "$headers" || { echo "no Secure antiforgery cookie"; cat "$headers"; exit 1; }
# The page has two forms (sign-in and the footer's language switch); their tokens are alike: take the first.
token="$(grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' <<<"$page" | head -n 1 | sed 's/.*value="//;s/"$//')"
[ -n "$token" ] || { echo "no sign-in form"; exit 1; }
status="$(curl -ksS -o /dev/null -w '%{http_code} %{redirect_url}' -c "$work/jar" -b "$work/jar" "$base/Account/Login" \
  --data-urlencode "Input.Email=$OPERATOR_EMAIL" --data-urlencode "Input.Password=$OPERATOR_PASSWORD" \
  --data-urlencode "__RequestVerificationToken=$token")"
[ "$status" = "302 $base/" ] || { echo "the sign-in answered: $status"; exit 1; }
# Signed in (the session cookie works behind the proxy): the first page is setting up the second factor.
home="$(curl -ksS -o /dev/null -w '%{http_code} %{redirect_url}' -c "$work/jar" -b "$work/jar" "$base/")"
case "$home" in
  "302 $base/Account/TwoFactor"*) echo "HTTPS sign-in through nginx to two Production nodes works: $home" ;;
  *) echo "after signing in, / answered: $home"; exit 1 ;;
esac
