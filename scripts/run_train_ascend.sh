#!/usr/bin/env bash
# Train on one Ascend device with config_ascend.yaml: preprocess aclImdb + GloVe into
# ./preprocess (reused when unchanged), then train.
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
export DEVICE_ID=$1
ACLIMDB_DIR=$(abs_path "$2")
GLOVE_DIR=$(abs_path "$3")
shift 3
# a standalone run: ignore rank settings left over from a distributed launch
export RANK_SIZE=1 RANK_ID=0

cd -- "$ROOT"
run_job "Ascend training" "$ROOT/train_ascend.log" \
  "$PY" "$ROOT/train.py" --config_path="$ROOT/config_ascend.yaml" --device_target=Ascend \
  --device_id="$DEVICE_ID" --preprocess=true --aclimdb_path="$ACLIMDB_DIR" --glove_path="$GLOVE_DIR" \
  --preprocess_path="$ROOT/preprocess" --ckpt_path="$ROOT/ckpt_ascend" "$@"
