#!/usr/bin/env bash
# Data-parallel training on DEVICE_NUM Ascend devices of this server with a rank table
# (HCCL) and config_ascend_8p.yaml: preprocess aclImdb + GloVe into ./preprocess once
# (reused when unchanged), then one process per device (DEVICE_ID = RANK_ID = 0..N-1,
# RANK_SIZE = DEVICE_NUM), each with its own log in ./log_distribute_ascend; rank 0 writes
# ./ckpt_distribute_ascend. Runs in the foreground; when a device's process fails the
# others are stopped and the launcher fails, naming the device and its log.
# Options after the required arguments go to train.py. Environment: LSTM_TIMEOUT (seconds).
# msrun works on Ascend as well (without a rank table): see docs/distributed.md.
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
USAGE="$0 RANK_TABLE_FILE DEVICE_NUM ACLIMDB_DIR GLOVE_DIR [--key=value ...]"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

check_args 4 "$@"
check_file RANK_TABLE_FILE "$1"
check_count DEVICE_NUM "$2" 8
check_dir ACLIMDB_DIR "$3"
check_exists GLOVE_DIR "$4"
RANK_TABLE_FILE=$(abs_path "$1")
DEVICE_NUM=$((10#$2))
ACLIMDB_DIR=$(abs_path "$3")
GLOVE_DIR=$(abs_path "$4")
shift 4

cd -- "$ROOT"
run_rank_table "Ascend distributed training" "$DEVICE_NUM" "$ROOT/log_distribute_ascend" \
  "$ROOT/train.py" --config_path="$ROOT/config_ascend_8p.yaml" --device_target=Ascend --distribute=true \
  --device_num="$DEVICE_NUM" --aclimdb_path="$ACLIMDB_DIR" --glove_path="$GLOVE_DIR" \
  --preprocess_path="$ROOT/preprocess" --ckpt_path="$ROOT/ckpt_distribute_ascend" --preprocess=false "$@"
