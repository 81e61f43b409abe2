#!/usr/bin/env bash
# Checks every deployment file with the real tools (installed by deploy/tools/install.sh):
#   helm lint and helm template of each chart variant, piped into kubeconform (strict, Kubernetes
#   and KEDA schemas); values the chart must refuse; hadolint on each Dockerfile; promtool check
#   rules on the alert rules and on the dashboard's queries; promtool test rules.
# Prints one line per check and ends with "N passed, N failed".
set -uo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

tools="${DEPLOY_TOOLS_DIR:-$repo_root/.cache/deploy-tools}"
bin="$tools/bin"
schemas="$tools/schemas"
chart=deploy/helm/liability-extraction
for tool in helm kubeconform promtool hadolint; do
  [[ -x "$bin/$tool" ]] || { echo "deploy/check: $bin/$tool is missing; run bash deploy/tools/install.sh"; exit 1; }
done
kubernetes_version="$(cat "$schemas/kubernetes-version")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
check() { # name command...
  local name="$1"
  shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1))
    printf 'ok    %s\n' "$name"
  else
    failed=$((failed + 1))
    printf 'FAIL  %s\n' "$name"
    sed 's/^/      /' "$work/out" | head -40
  fi
}

kubeconform_strict() {
  "$bin/kubeconform" -strict -summary -kubernetes-version "$kubernetes_version" \
    -schema-location "$schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$@"
}

render_and_validate() { # variant values-file|-
  local out="$work/$1.yaml"
  if [[ "$2" == "-" ]]; then
    "$bin/helm" template lre "$chart" --namespace liability >"$out" || return 1
  else
    "$bin/helm" template lre "$chart" --namespace liability -f "$2" >"$out" || return 1
  fi
  kubeconform_strict "$out"
}

# The chart must refuse these: each file sets one thing a production deployment may not do.
refused() { # values-file expected-message
  if "$bin/helm" template lre "$chart" -f "$1" >"$work/refused" 2>&1; then
    echo "rendered, but $1 should have been refused"
    return 1
  fi
  grep -q -- "$2" "$work/refused" || { cat "$work/refused"; return 1; }
}

rejects_invalid() {
  if kubeconform_strict deploy/tools/testdata/invalid-objects.yaml >"$work/invalid" 2>&1; then
    cat "$work/invalid"
    return 1
  fi
  [[ "$(grep -c ' is invalid: ' "$work/invalid")" -eq 2 ]] || { cat "$work/invalid"; return 1; }
}

check "kubeconform rejects an unknown field and a mistyped KEDA trigger" rejects_invalid
check "helm lint (default values)" "$bin/helm" lint --strict "$chart"
check "kubeconform: default (KEDA on lag)" render_and_validate default -
for values in "$chart"/ci/*-values.yaml; do
  variant="$(basename "$values" -values.yaml)"
  check "helm lint ($variant)" "$bin/helm" lint --strict "$chart" -f "$values"
  check "kubeconform: $variant" render_and_validate "$variant" "$values"
done
check "refused: database TLS off" refused deploy/helm/refused/database-tls-off.yaml "database.tls=disable is refused"
check "refused: SASL PLAIN without TLS" refused deploy/helm/refused/sasl-plain-without-tls.yaml "sends the password in clear text"
check "refused: unknown autoscaling mode" refused deploy/helm/refused/unknown-autoscaling.yaml "autoscaling.mode must be"
check "refused: no tenant allow-list" refused deploy/helm/refused/no-tenant-allowlist.yaml "worker.tenantAllowlist is required"

for dockerfile in deploy/docker/*.Dockerfile; do
  check "hadolint $(basename "$dockerfile")" "$bin/hadolint" --failure-threshold warning "$dockerfile"
done

check "promtool check rules (alerts)" "$bin/promtool" check rules deploy/monitoring/alerts.yaml
check "promtool test rules (alerts)" "$bin/promtool" test rules deploy/monitoring/alerts.test.yaml
# The dashboard's queries, wrapped as recording rules, so that promtool parses each one.
check "promtool check rules (dashboard queries)" bash -c "node_modules/.bin/node deploy/monitoring/dashboard-queries.ts --as-rules deploy/monitoring/dashboard.json >'$work/dashboard-rules.yaml' && '$bin/promtool' check rules '$work/dashboard-rules.yaml'"

echo
echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
