# Shared by bench-pages.sh and bench-ab.sh (sourced, not run): signing in as a browser does, and wrk as a browser.
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
