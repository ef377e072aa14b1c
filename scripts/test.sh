#!/usr/bin/env bash
# The one test command (npm test): a broker, a build, lint and format checks, then
# every test file under test/ with Node's test runner.
# WARREN_TEST_LONG=1 runs the long fuzz and property runs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/ensure-broker.sh
bash scripts/ensure-chromium.sh
bash scripts/build.sh
npx eslint .
npx prettier --check . --log-level warn
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found under dist/test" >&2
  exit 1
fi
exec node --test --test-reporter=spec --test-timeout=120000 "$@" "${files[@]}"
