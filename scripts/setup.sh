#!/usr/bin/env bash
# Everything a fresh machine needs before the system or its tests can run: the pinned Node,
# npm dependencies, the base model and the local Kafka + PostgreSQL stack. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "npm dependencies (pinned Node $(cat .nvmrc))"
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
else
  echo "node_modules is up to date"
fi
echo "using node $(node_modules/.bin/node --version)"

step "base model"
bash infra/models/fetch-base-model.sh

step "local Kafka and PostgreSQL"
bash infra/local/up.sh
