#!/usr/bin/env bash
# Entry point for the model pipeline; run from anywhere. See training/README.md.
#   training/run.sh build-dataset [--config FILE] [--corpus-dir DIR] [--reviewed FILE ...]
#   training/run.sh train         [--config FILE] [--max-steps N]
#   training/run.sh export        [--config FILE] [--adapter-dir DIR] [--out FILE]
#   training/run.sh parity        [--config FILE] [--gguf FILE] [--n N]
#   training/run.sh import        --gguf FILE --out DIR   (a GGUF adapter back into a peft folder, to train further)
#   training/run.sh calibrate     --fit REPORT PREDICTIONS [--apply NAME REPORT PREDICTIONS ...] [--target 0.02]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${TRAINING_PYTHON:-$here/.venv/bin/python}"
if [[ ! -x "$python" ]]; then
  echo "training: $python not found; run training/setup.sh first" >&2
  exit 1
fi
cmd="${1:-}"
shift || true
case "$cmd" in
  build-dataset) module=build_dataset ;;
  train) module=train ;;
  export) module=export_gguf ;;
  parity) module=parity ;;
  calibrate) module=calibrate ;;
  import) module=import_gguf ;;
  *) echo "usage: training/run.sh build-dataset|train|export|parity|calibrate|import [options]" >&2; exit 2 ;;
esac
cd "$here/.."
export TQDM_DISABLE="${TQDM_DISABLE:-1}"
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
exec "$python" -m "liability_training.$module" "$@"
