#!/usr/bin/env bash
# Train on one GPU: preprocess aclImdb + GloVe into ./preprocess (reused when unchanged), then train.
# Options after the required arguments go to train.py, e.g. --num_epochs=1.
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
USAGE="$0 DEVICE_ID ACLIMDB_DIR GLOVE_DIR [--key=value ...]"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

check_args 3 "$@"
check_device_id "$1"
check_dir ACLIMDB_DIR "$2"
check_exists GLOVE_DIR "$3"
GPU_ID=$1
ACLIMDB_DIR=$(abs_path "$2")
GLOVE_DIR=$(abs_path "$3")
shift 3

# Only the chosen GPU is visible, and inside the process it is device 0 (a DEVICE_ID
# left in the environment would name an invisible device); a standalone run also
# ignores rank settings left over from a distributed launch.
export CUDA_VISIBLE_DEVICES=$GPU_ID
export DEVICE_ID=0 RANK_SIZE=1 RANK_ID=0

cd -- "$ROOT"
run_job "GPU training" "$ROOT/train_gpu.log" \
  "$PY" "$ROOT/train.py" --config_path="$ROOT/default_config.yaml" --device_target=GPU \
  --device_id=0 --preprocess=true --aclimdb_path="$ACLIMDB_DIR" --glove_path="$GLOVE_DIR" \
  --preprocess_path="$ROOT/preprocess" --ckpt_path="$ROOT/ckpt_gpu" "$@"
