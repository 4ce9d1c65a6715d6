# Shared by bench-pages.sh and bench-ab.sh (sourced, not run): signing in as a browser does (an Admin with the demo's
# second factor too), an Admin's "Run now" of a job, and wrk as a browser.
# The caller sets $work, a throwaway folder for the response headers.

# Outside Development cookies and antiforgery need HTTPS: every request says X-Forwarded-Proto: https from 127.0.0.1,
# a known proxy, as nginx does in production. curl's jar would not send Secure cookies over http, so cookies go as a
# header. Every user signs in with the demo's password and no second factor.
proto=(-H "X-Forwarded-Proto: https")
cookies_of() { grep -i '^set-cookie:' "$1" | sed 's/^[Ss]et-[Cc]ookie: //;s/;.*//' | tr -d '\r' | paste -sd';' | sed 's/;/; /g'; }

sign_in_at() { # base-url email -> the auth cookie and the antiforgery cookie (nothing if the sign-in failed)
  local login_page token auth af
  login_page="$(curl -fsS "${proto[@]}" -D "$work/form.headers" "$1/Account/Login")"
  token="$(grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' <<<"$login_page" | head -1 | sed 's/.*value="//;s/"$//')"
  curl -sS "${proto[@]}" -H "Cookie: $(cookies_of "$work/form.headers")" -D "$work/login.headers" -o /dev/null "$1/Account/Login" \
    --data-urlencode "Input.Email=$2" --data-urlencode "Input.Password=Demo-Success-2026!" --data-urlencode "__RequestVerificationToken=$token"
  auth="$(cookies_of "$work/login.headers" | tr ';' '\n' | sed 's/^ //' | { grep '^successplans.auth' || true; } | paste -sd';' | sed 's/;/; /g')"
  [ -n "$auth" ] || return 0
  # A browser also holds the antiforgery cookie from its first page with a form. Without it every page with a form
  # would mint and encrypt a new one, which no browser makes the app do.
  curl -sS "${proto[@]}" -H "Cookie: $auth" -D "$work/af.headers" -o /dev/null "$1/Account/Settings"
  af="$(cookies_of "$work/af.headers" | tr ';' '\n' | sed 's/^ //' | { grep '^successplans.af=' || true; } | head -1)"
  echo "$auth${af:+; $af}"
}

# The demo's authenticator key (README): the current code, RFC 6238, in python3.
totp() { python3 -c 'import base64,hmac,struct,time,sys; k=base64.b32decode(sys.argv[1]); c=struct.pack(">Q", int(time.time())//30); h=hmac.new(k,c,"sha1").digest(); o=h[-1]&15; print("%06d" % ((struct.unpack(">I", h[o:o+4])[0] & 0x7fffffff) % 1000000))' DEMOSUCCESSPLANSTWOFACTORKEYDEMO; }

admin_sign_in_at() { # base-url email -> an Admin's auth cookie, signed in with the second factor (nothing if that failed)
  local two page token
  sign_in_at "$1" "$2" >/dev/null
  two="$(cookies_of "$work/login.headers" | tr ';' '\n' | sed 's/^ //' | { grep '^successplans.2fa' || true; } | paste -sd';' | sed 's/;/; /g')"
  page="$(curl -fsS "${proto[@]}" -H "Cookie: $two" -D "$work/2fa-form.headers" "$1/Account/LoginWith2fa")"
  token="$(grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' <<<"$page" | head -1 | sed 's/.*value="//;s/"$//')"
  curl -sS "${proto[@]}" -H "Cookie: $two; $(cookies_of "$work/2fa-form.headers")" -D "$work/2fa.headers" -o /dev/null "$1/Account/LoginWith2fa" \
    --data-urlencode "Code=$(totp)" --data-urlencode "__RequestVerificationToken=$token"
  cookies_of "$work/2fa.headers" | tr ';' '\n' | sed 's/^ //' | { grep '^successplans.auth' || true; } | paste -sd';' | sed 's/;/; /g'
}

run_job_at() { # base-url admin-cookie job -> the HTTP status of the Admin's "Run now" (302 when started)
  local page token
  page="$(curl -fsS "${proto[@]}" -H "Cookie: $2" -D "$work/jobs.headers" "$1/Jobs")"
  token="$(grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' <<<"$page" | head -1 | sed 's/.*value="//;s/"$//')"
  curl -s -o /dev/null -w '%{http_code}' "${proto[@]}" -H "Cookie: $2; $(cookies_of "$work/jobs.headers")" "$1/Jobs?handler=Run" \
    --data-urlencode "job=$3" --data-urlencode "__RequestVerificationToken=$token"
}

job_runs_at() { # base-url admin-cookie -> the Jobs page's runs, one a line (job, started, took, status, summary, by)
  { curl -fsS "${proto[@]}" -H "Cookie: $2" "$1/Jobs" || true; } | { grep -A3 '<tr class="status-' || true; } | sed 's/<[^>]*>/ /g' | tr -s ' \n' ' ' | sed 's/ -- /\n/g'
}

# wrk as a browser: a signed-in user's requests go through browser.lua (BENCH_COOKIE: the cookies of sign_in_at), which
# keeps the session cookie the app renews. Identity re-validates a session's security stamp once its cookie is a minute
# old (SecurityStampValidatorOptions) and sends a renewed cookie, which a browser keeps. wrk -H replays the first cookie
# for ever, so after a minute every request re-read the user, rebuilt their claims and re-issued the cookie: about 1 ms
# of CPU a request no user causes.
write_browser_lua() { # file
  cat >"$1" <<'LUA'
local cookie = os.getenv("BENCH_COOKIE") or ""
request = function()
  return wrk.format(nil, nil, { ["Cookie"] = cookie, ["X-Forwarded-Proto"] = "https" })
end
response = function(status, headers, body)
  local renewed = headers["Set-Cookie"] and headers["Set-Cookie"]:match("^successplans%.auth=([^;]*)")
  if renewed then cookie = cookie:gsub("successplans%.auth=[^;]*", function() return "successplans.auth=" .. renewed end) end
end
LUA
}
