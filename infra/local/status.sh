#!/usr/bin/env bash
# Prints the state of each service; exits non-zero when any of them is down.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rc=0
"$LRE_ROOT/infra/local/kafka.sh" status || rc=1
"$LRE_ROOT/infra/local/postgres.sh" status || rc=1
exit $rc
