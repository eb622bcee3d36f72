#!/usr/bin/env bash
# Train on CPU: preprocess aclImdb + GloVe into ./preprocess (reused when unchanged), then train.
# Options after the required arguments go to train.py, e.g. --num_epochs=1.
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
USAGE="$0 ACLIMDB_DIR GLOVE_DIR [--key=value ...]"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

check_args 2 "$@"
check_dir ACLIMDB_DIR "$1"
check_exists GLOVE_DIR "$2"
ACLIMDB_DIR=$(abs_path "$1")
GLOVE_DIR=$(abs_path "$2")
shift 2

# a standalone run: ignore rank settings left over from a distributed launch
export RANK_SIZE=1 RANK_ID=0

cd -- "$ROOT"
run_job "CPU training" "$ROOT/train_cpu.log" \
  "$PY" "$ROOT/train.py" --config_path="$ROOT/default_config.yaml" --device_target=CPU \
  --preprocess=true --aclimdb_path="$ACLIMDB_DIR" --glove_path="$GLOVE_DIR" \
  --preprocess_path="$ROOT/preprocess" --ckpt_path="$ROOT/ckpt_cpu" "$@"
