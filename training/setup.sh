#!/usr/bin/env bash
# Creates training/.venv (git-ignored) with the pinned packages of training/requirements.txt.
# Idempotent: an existing venv whose recorded requirements hash matches is left alone.
# Needs Python 3.11 (PYTHON=...), pip access to the package registry, and about 6 GB of disk
# (torch's Linux wheel brings CUDA libraries; it runs on CPU all the same).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
venv="$here/.venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "training/setup.sh: $venv is up to date"
  exit 0
fi
version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$version" != "3.11" ]]; then
  echo "training/setup.sh: warning: Python $version; the pins were made for 3.11" >&2
fi
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$here/requirements.txt"
echo "$want" > "$stamp"
echo "training/setup.sh: ready: $venv"
