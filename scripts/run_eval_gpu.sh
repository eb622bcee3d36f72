#!/usr/bin/env bash
# Evaluate a checkpoint on one GPU; preprocesses aclImdb + GloVe into ./preprocess first
# (reused when unchanged). Options after the required arguments go to eval.py.
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
USAGE="$0 DEVICE_ID ACLIMDB_DIR GLOVE_DIR CKPT_FILE [--key=value ...]"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

check_args 4 "$@"
check_device_id "$1"
check_dir ACLIMDB_DIR "$2"
check_exists GLOVE_DIR "$3"
check_file CKPT_FILE "$4"
GPU_ID=$1
ACLIMDB_DIR=$(abs_path "$2")
GLOVE_DIR=$(abs_path "$3")
CKPT_FILE=$(abs_path "$4")
shift 4

# Only the chosen GPU is visible, and inside the process it is device 0 (a DEVICE_ID
# left in the environment would name an invisible device); a standalone run also
# ignores rank settings left over from a distributed launch.
export CUDA_VISIBLE_DEVICES=$GPU_ID
export DEVICE_ID=0 RANK_SIZE=1 RANK_ID=0

cd -- "$ROOT"
run_job "GPU evaluation" "$ROOT/eval_gpu.log" \
  "$PY" "$ROOT/eval.py" --config_path="$ROOT/default_config.yaml" --device_target=GPU \
  --device_id=0 --preprocess=true --aclimdb_path="$ACLIMDB_DIR" --glove_path="$GLOVE_DIR" \
  --preprocess_path="$ROOT/preprocess" --ckpt_file="$CKPT_FILE" "$@"
