#!/usr/bin/env bash
# The main job on local defaults: sets up a fresh machine (scripts/setup.sh), then starts the
# inference sidecar and the extraction worker against the local Kafka and PostgreSQL, publishes
# a sample of documents (and a few malformed messages), and prints what became of each:
# accepted, sent to review, or dead-lettered, with where to look at the records. Then it leaves
# the review console running (scripts/review-console.sh) with the demo's review items in it, and
# prints its address and login. Extra arguments go to the demo, e.g. `bash scripts/start.sh --documents 20`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

printf '\n==> processing sample documents end to end\n'
node_modules/.bin/node --disable-warning=TimeoutNegativeWarning loadtest/src/demo.ts "$@"

printf '\n==> review console\n'
bash scripts/review-console.sh
