#!/usr/bin/env bash
# Data-parallel training on CPU with WORKER_NUM processes under msrun (MindSpore's own
# collectives over TCP): preprocess aclImdb + GloVe into ./preprocess once (reused when
# unchanged), then train; rank 0 writes ./ckpt_distribute_cpu. Logs: ./log_distribute_cpu.
# Runs in the foreground and fails, naming the worker and its log, when any worker fails.
# Options after the required arguments go to train.py, e.g. --num_epochs=1.
# Environment: MASTER_PORT (default: a free port), LSTM_TIMEOUT (seconds, default none);
# for several machines also MASTER_ADDR, NODE_RANK, LOCAL_WORKER_NUM (docs/distributed.md).
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
USAGE="$0 WORKER_NUM ACLIMDB_DIR GLOVE_DIR [--key=value ...]"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

check_args 3 "$@"
check_count WORKER_NUM "$1"
check_dir ACLIMDB_DIR "$2"
check_exists GLOVE_DIR "$3"
WORKER_NUM=$((10#$1))
ACLIMDB_DIR=$(abs_path "$2")
GLOVE_DIR=$(abs_path "$3")
shift 3

# the machine's cores shared by the workers on it, unless --cpu_threads is given
check_env_int LOCAL_WORKER_NUM 1 "$WORKER_NUM"
CORES=$(nproc 2>/dev/null || echo 1)
THREADS=$((CORES / 10#${LOCAL_WORKER_NUM:-$WORKER_NUM}))
((THREADS >= 1)) || THREADS=1

cd -- "$ROOT"
run_msrun "CPU distributed training" "$WORKER_NUM" "$ROOT/log_distribute_cpu" \
  "$ROOT/train.py" --config_path="$ROOT/default_config.yaml" --device_target=CPU --distribute=true \
  --device_num="$WORKER_NUM" --aclimdb_path="$ACLIMDB_DIR" --glove_path="$GLOVE_DIR" \
  --preprocess_path="$ROOT/preprocess" --ckpt_path="$ROOT/ckpt_distribute_cpu" --cpu_threads="$THREADS" \
  --preprocess=false "$@"
