#!/usr/bin/env bash
# Runs every test on the current Node: type-check, format and lint, unit + integration + protocol tests on SQLite and
# MySQL/MariaDB, the Galera suite on a three-node cluster (scripts/galera/cluster.sh up), then browser tests in Chromium. A part whose prerequisite is missing is skipped
# loudly; with CI=true a missing part is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob

export TEST_MYSQL_URL="${TEST_MYSQL_URL-mysql://root@127.0.0.1:3306/tessera_test}"
# Bounds, so that a stuck test fails with a message instead of running into CI's time limit.
# TEST_TIMEOUT_MS: node's --test-timeout; on Node 20 and 22 it bounds each test file as a whole
# (the runner applies it to the file's process), from Node 24 on each test.
TEST_TIMEOUT_MS="${TEST_TIMEOUT_MS:-300000}"
NODE_TESTS_LIMIT="${NODE_TESTS_LIMIT:-30m}" BROWSER_TESTS_LIMIT="${BROWSER_TESTS_LIMIT:-20m}"
# GALERA_TESTS_LIMIT bounds each file of test/galera/; GALERA_TESTS=skip leaves the suite out (CI runs it on one Node line).
GALERA_TESTS_LIMIT="${GALERA_TESTS_LIMIT:-5m}" GALERA_TESTS="${GALERA_TESTS:-run}"
passed=0 failed=0 problems=()
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# A part of the suite runs under `timeout`, which kills its whole process group when the limit
# passes; from a terminal it stays in the foreground (so Ctrl-C still works) and kills the part's
# main process only. hung() reports a part that was stopped.
limit() { local fg=(); [ -t 0 ] && fg=(--foreground); timeout "${fg[@]}" --kill-after=30s "$@"; }
hung() {
  if [ "$1" -ne 124 ] && [ "$1" -ne 137 ]; then return 1; fi
  printf '\n\033[31m!! %s did not finish within %s: something hangs (see the last test named above)\033[0m\n' "$2" "$3"
  problems+=("$2 hung: stopped after $3"); failed=$((failed + 1))
}
missing() {
  if [ "${CI:-}" = "true" ]; then problems+=("$1 (required with CI=true)"); failed=$((failed + 1));
  else printf '\n\033[33m!! SKIPPED: %s\033[0m\n' "$1"; fi
}

say "Node $(node --version): type-check"
if ! node_modules/.bin/tsc --noEmit -p .; then problems+=("type-check"); failed=$((failed + 1)); fi

say "format and lint (Biome; npm run format fixes what it can)"
if ! node_modules/.bin/biome check --reporter=summary .; then problems+=("format and lint"); failed=$((failed + 1)); fi

say "MySQL/MariaDB for the integration suite"
if [ -n "$TEST_MYSQL_URL" ] && limit 1m node --import tsx scripts/ensure-test-database.ts "$TEST_MYSQL_URL"; then
  echo "using $TEST_MYSQL_URL"
else
  missing "MySQL/MariaDB tests: no database at TEST_MYSQL_URL=${TEST_MYSQL_URL:-<unset>}"
  export TEST_MYSQL_URL=""
fi

say "unit, integration and protocol tests"
# test/galera/ needs the Galera cluster and has its own part below.
files=()
for file in server/**/*.test.ts test/**/*.test.ts; do [[ $file == test/galera/* ]] || files+=("$file"); done
# From Node 24 on, a test that timed out may leave its file's process running (a handle still open):
# --test-force-exit ends it. Not before 24: Node 20 and 22 bound the whole file, and on Node 20 the
# flag cuts the summary off the TAP file read below.
force_exit=(); [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 24 ] && force_exit=(--test-force-exit)

# node_tests LABEL LIMIT FILE...: runs the files one at a time (the MySQL suites share one database, emptied
# between files) under LIMIT, and adds the counts of passed, failed and cancelled tests to the totals.
node_tests() {
  local label=$1 bound=$2 log status p f c
  shift 2
  log=$(mktemp)
  limit "$bound" node --import tsx --test --test-concurrency=1 --test-timeout="$TEST_TIMEOUT_MS" "${force_exit[@]}" \
    --test-reporter=spec --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination="$log" "$@"
  status=$?
  p=$(grep -E '^# pass ' "$log" | tail -1 | awk '{print $3}'); f=$(grep -E '^# fail ' "$log" | tail -1 | awk '{print $3}')
  c=$(grep -E '^# cancelled ' "$log" | tail -1 | awk '{print $3}')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${c:-0}))
  if [ "${c:-0}" != "0" ]; then problems+=("$label: $c test(s) cancelled: a test or its file ran past TEST_TIMEOUT_MS=$TEST_TIMEOUT_MS"); fi
  if ! hung $status "$label" "$bound" && [ $status -ne 0 ] && [ "${f:-0}${c:-0}" = "00" ]; then
    problems+=("$label: node test runner exited $status"); failed=$((failed + 1))
  fi
  rm -f "$log"
}
node_tests "unit, integration and protocol tests" "$NODE_TESTS_LIMIT" "${files[@]}"

say "Galera suite (three MariaDB nodes, scripts/galera/cluster.sh)"
if [ "$GALERA_TESTS" = skip ]; then
  echo "not run here: GALERA_TESTS=skip"
elif limit 1m node --import tsx scripts/galera/check.ts; then
  # One file at a time: each empties the cluster's database and starts three instances on it.
  for file in test/galera/*.test.ts; do
    node_tests "$file" "$GALERA_TESTS_LIMIT" "$file"
  done
else
  missing "Galera tests: no three-node cluster at GALERA_URLS (scripts/galera/cluster.sh up starts one)"
fi

say "browser tests (Chromium)"
if [ -x /usr/bin/chromium ]; then
  log=$(mktemp)
  limit "$BROWSER_TESTS_LIMIT" node_modules/.bin/playwright test 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  p=$(grep -Eo '[0-9]+ passed' "$log" | tail -1 | awk '{print $1}'); f=$(grep -Eo '[0-9]+ failed' "$log" | tail -1 | awk '{print $1}')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if ! hung $status "browser tests" "$BROWSER_TESTS_LIMIT" && [ $status -ne 0 ] && [ "${f:-0}" = "0" ]; then problems+=("playwright exited $status"); failed=$((failed + 1)); fi
  rm -f "$log"
else
  missing "browser tests: /usr/bin/chromium not found (apt-get install -y chromium)"
fi

say "summary (Node $(node --version))"
for p in "${problems[@]}"; do echo "problem: $p"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
