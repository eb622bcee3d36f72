#!/usr/bin/env bash
# Evaluate a checkpoint on one Ascend device with config_ascend.yaml, reading an existing
# preprocess folder (e.g. the one training wrote). Options after the required arguments
# go to eval.py.
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
USAGE="$0 DEVICE_ID PREPROCESS_DIR CKPT_FILE [--key=value ...]"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

check_args 3 "$@"
check_device_id "$1"
check_dir PREPROCESS_DIR "$2"
check_file CKPT_FILE "$3"
export DEVICE_ID=$1
PREPROCESS_DIR=$(abs_path "$2")
CKPT_FILE=$(abs_path "$3")
shift 3
# a standalone run: ignore rank settings left over from a distributed launch
export RANK_SIZE=1 RANK_ID=0

cd -- "$ROOT"
run_job "Ascend evaluation" "$ROOT/eval_ascend.log" \
  "$PY" "$ROOT/eval.py" --config_path="$ROOT/config_ascend.yaml" --device_target=Ascend \
  --device_id="$DEVICE_ID" --preprocess=false --preprocess_path="$PREPROCESS_DIR" \
  --ckpt_file="$CKPT_FILE" "$@"
