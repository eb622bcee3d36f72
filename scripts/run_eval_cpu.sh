#!/usr/bin/env bash
# Evaluate a checkpoint on CPU; preprocesses aclImdb + GloVe into ./preprocess first
# (reused when unchanged). Options after the required arguments go to eval.py.
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
USAGE="$0 ACLIMDB_DIR GLOVE_DIR CKPT_FILE [--key=value ...]"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

check_args 3 "$@"
check_dir ACLIMDB_DIR "$1"
check_exists GLOVE_DIR "$2"
check_file CKPT_FILE "$3"
ACLIMDB_DIR=$(abs_path "$1")
GLOVE_DIR=$(abs_path "$2")
CKPT_FILE=$(abs_path "$3")
shift 3

# a standalone run: ignore rank settings left over from a distributed launch
export RANK_SIZE=1 RANK_ID=0

cd -- "$ROOT"
run_job "CPU evaluation" "$ROOT/eval_cpu.log" \
  "$PY" "$ROOT/eval.py" --config_path="$ROOT/default_config.yaml" --device_target=CPU \
  --preprocess=true --aclimdb_path="$ACLIMDB_DIR" --glove_path="$GLOVE_DIR" \
  --preprocess_path="$ROOT/preprocess" --ckpt_file="$CKPT_FILE" "$@"
