#!/usr/bin/env bash
# `npm test`: build, then the mocha suite and the Python suite side by side (two cores, two
# single-threaded runners), each one's output printed whole when it ends, then one closing line.
set -uo pipefail
cd "$(dirname "$0")/.."

node scripts/node-version.mjs >/dev/null || exit 1
npm run --silent build || exit 1

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
npx mocha --parallel --jobs 2 >"$logs/mocha.log" 2>&1 &
mocha_pid=$!
bash scripts/test-python.sh >"$logs/python.log" 2>&1 &
python_pid=$!

wait "$mocha_pid"; mocha_rc=$?
cat "$logs/mocha.log"
wait "$python_pid"; python_rc=$?
cat "$logs/python.log"

count() { grep -Eo "[0-9]+ $2" "$1" | tail -n 1 | grep -Eo '^[0-9]+' || echo 0; }
passed=$(($(count "$logs/mocha.log" passing) + $(count "$logs/python.log" passed)))
failed=$(($(count "$logs/mocha.log" failing) + $(count "$logs/python.log" failed)))
echo "mocha exit $mocha_rc, pytest exit $python_rc"
echo "tests: $passed passed, $failed failed"
[ "$mocha_rc" -eq 0 ] && [ "$python_rc" -eq 0 ]
