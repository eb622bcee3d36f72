#!/usr/bin/env bash
# Data-parallel training on DEVICE_NUM GPUs of this machine under msrun (NCCL): preprocess
# aclImdb + GloVe into ./preprocess once (reused when unchanged), then train; worker i uses
# GPU i of those CUDA_VISIBLE_DEVICES shows, rank 0 writes ./ckpt_distribute_gpu.
# Logs: ./log_distribute_gpu. Runs in the foreground and fails, naming the worker and its
# log, when any worker fails. Options after the required arguments go to train.py.
# Environment: MASTER_PORT (default: a free port), LSTM_TIMEOUT (seconds, default none);
# for several machines also MASTER_ADDR, NODE_RANK, LOCAL_WORKER_NUM (docs/distributed.md).
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
USAGE="$0 DEVICE_NUM ACLIMDB_DIR GLOVE_DIR [--key=value ...]"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

check_args 3 "$@"
check_count DEVICE_NUM "$1"
check_dir ACLIMDB_DIR "$2"
check_exists GLOVE_DIR "$3"
DEVICE_NUM=$((10#$1))
ACLIMDB_DIR=$(abs_path "$2")
GLOVE_DIR=$(abs_path "$3")
shift 3

cd -- "$ROOT"
run_msrun "GPU distributed training" "$DEVICE_NUM" "$ROOT/log_distribute_gpu" \
  "$ROOT/train.py" --config_path="$ROOT/default_config.yaml" --device_target=GPU --distribute=true \
  --device_num="$DEVICE_NUM" --aclimdb_path="$ACLIMDB_DIR" --glove_path="$GLOVE_DIR" \
  --preprocess_path="$ROOT/preprocess" --ckpt_path="$ROOT/ckpt_distribute_gpu" --preprocess=false "$@"
