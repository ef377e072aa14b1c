#!/usr/bin/env bash
# The browser tests drive Debian's chromium (playwright cannot download its own
# browser here). Installs it when missing and we are root; says so otherwise.
set -uo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing chromium from Debian's packages…" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && exit 0
fi
echo "ensure-chromium: /usr/bin/chromium is missing; install it with: apt-get install -y chromium" >&2
exit 1
