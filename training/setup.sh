#!/usr/bin/env bash
# Creates training/.venv (git-ignored) with the pinned packages of training/requirements.txt.
# Idempotent: an existing venv whose recorded requirements hash matches, and which imports the
# pipeline's packages, is left alone. Needs Python 3.11 (PYTHON=...), pip access to the package
# registry, and about 6 GB of disk for the venv (torch's Linux wheel brings CUDA libraries; it runs
# on CPU all the same) plus room for the wheels while they install.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
venv="$here/.venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
needed_gb=9
attempts=3

log() { printf 'training/setup.sh: %s\n' "$*" >&2; }
# A pip install that dies part-way (a full disk, a dropped download) leaves a venv with some
# packages and not others; the import check is what says the venv is usable.
imports_work() { "$venv/bin/python" -c 'import torch, transformers, peft, gguf, safetensors, numpy, matplotlib, yaml, pytest' 2>/dev/null; }
free_gb() { df -Pk "$1" | awk 'NR == 2 { printf "%d", $4 / 1048576 }'; }

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && imports_work; then
  log "$venv is up to date"
  exit 0
fi
rm -f "$stamp"
version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$version" != "3.11" ]]; then
  log "warning: Python $version; the pins were made for 3.11"
fi
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"

tmp="${TMPDIR:-/tmp}"
for dir in "$here" "$tmp"; do
  free="$(free_gb "$dir")"
  if (( free < needed_gb )); then
    log "warning: $free GB free under $dir; installing torch and its CUDA wheels needs about $needed_gb GB"
  fi
done

# No pip cache: on a fresh machine it would only hold a second copy of ~3 GB of wheels.
for attempt in $(seq 1 "$attempts"); do
  if "$venv/bin/python" -m pip install --disable-pip-version-check --no-cache-dir --quiet \
    --retries 10 -r "$here/requirements.txt" && imports_work; then
    echo "$want" > "$stamp"
    log "ready: $venv"
    exit 0
  fi
  log "attempt $attempt of $attempts failed; free space: $(free_gb "$here") GB under $here, $(free_gb "$tmp") GB under $tmp"
done
log "error: could not install training/requirements.txt into $venv (the pip output above says why)"
exit 1
