#!/usr/bin/env bash
# The test command: sets up a fresh machine (scripts/setup.sh), then runs the static checks,
# every Node test (unit and integration, against the real Kafka, PostgreSQL and model) and the
# training pipeline's tests, and the deployment checks (Helm chart, Dockerfiles, alert rules).
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache/test-results
log=.cache/test-results/node.log
pylog=.cache/test-results/python.log
deploylog=.cache/test-results/deploy.log

step() { printf '\n==> %s\n' "$*"; }

# The deployment tools are Go programs built from source (minutes of compiling): that runs
# alongside the set-up, which mostly waits on downloads.
bash deploy/tools/install.sh >.cache/test-results/deploy-tools.log 2>&1 &
deploy_tools=$!

bash scripts/setup.sh || { echo "set-up failed"; exit 1; }

status=0
step "static checks: typecheck, Biome (lint and format), buf lint, generated code reproducible"
npm run --silent typecheck || status=1
npm run --silent lint || status=1
npm run --silent lint:proto || status=1

step "training environment"
training_ready=true
bash training/setup.sh || { status=1; training_ready=false; }

step "deployment checks: helm lint, kubeconform, hadolint, promtool"
if wait "$deploy_tools"; then
  bash deploy/check.sh 2>&1 | tee "$deploylog"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
else
  echo "deploy tools failed to install:"
  tail -20 .cache/test-results/deploy-tools.log
  echo "0 passed, 1 failed" >"$deploylog"
  status=1
fi

step "headless Chromium (the review console's browser tests)"
if [ -x /usr/bin/chromium ]; then
  echo "chromium is installed: $(/usr/bin/chromium --version 2>/dev/null)"
else
  (source infra/local/lib.sh && apt_install chromium) || status=1
fi

step "node tests"
# Test files run one at a time, so the test that kills the broker and the database and brings
# them back with infra/local/up.sh cannot disturb another test.
LRE_TEST_DESTRUCTIVE=true npm run --silent test:node 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

step "training tests"
if $training_ready; then
  npm run --silent test:training 2>&1 | tee "$pylog"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
else
  echo "training tests not run: training/.venv could not be set up (see \"training environment\" above)" | tee "$pylog"
  echo "0 passed, 1 failed" >>"$pylog"
fi

node_pass=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
node_fail=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
# pytest's last line sums the run up ("12 passed, 1 failed, 2 errors in 9.1s").
py_summary=$(grep -E '[0-9]+ (passed|failed|errors?)' "$pylog" | tail -1)
py_pass=$(grep -oE '[0-9]+ passed' <<<"$py_summary" | grep -oE '[0-9]+' || echo 0)
py_fail=$(grep -oE '[0-9]+ (failed|errors?)' <<<"$py_summary" | awk '{s+=$1} END {print s+0}')
deploy_pass=$(grep -oE '^[0-9]+ passed' "$deploylog" | tail -1 | grep -oE '[0-9]+' || echo 0)
deploy_fail=$(grep -oE '[0-9]+ failed' "$deploylog" | tail -1 | grep -oE '[0-9]+' || echo 0)
echo
echo "$((node_pass + py_pass + deploy_pass)) passed, $((node_fail + py_fail + deploy_fail)) failed"
exit "$status"
