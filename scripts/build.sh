#!/usr/bin/env bash
# Type-checks shared/ and browser/ without Node's types (so Buffer, process or a
# node: import there fails), compiles everything into dist/, bundles the client
# (from dist/bundle/, which `tsc -p browser` emits for that).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p shared
npx tsc -p browser
npx tsc -p .
if [ -f dist/bundle/browser/index.js ]; then
  npx rollup -c rollup.config.mjs --silent
fi
