#!/bin/sh
# Chromium refuses its sandbox when run as root. Rather than switching the sandbox off
# (--no-sandbox), run the browser as an unprivileged user with the sandbox on
# (Chromium then uses its user-namespace sandbox). Called by Playwright in place of the
# browser binary; MONITOR_CHROMIUM_REAL is the browser, MONITOR_BROWSER_USER the user.
set -eu
user="${MONITOR_BROWSER_USER:-nobody}"
real="${MONITOR_CHROMIUM_REAL:-/usr/bin/chromium}"
group="$(id -gn "$user")"
home=""
for arg in "$@"; do
  case "$arg" in
    --user-data-dir=*)
      # Playwright creates the throw-away profile as root; the browser must own it
      home="${arg#--user-data-dir=}"
      chown -R "$user:$group" "$home"
      ;;
  esac
done
[ -n "$home" ] || home="$(mktemp -d)" && chown "$user:$group" "$home"
exec setpriv --reuid="$user" --regid="$group" --clear-groups --inh-caps=-all --bounding-set=-all \
  env HOME="$home" XDG_CONFIG_HOME="$home" XDG_CACHE_HOME="$home" "$real" "$@"
