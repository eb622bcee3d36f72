#!/usr/bin/env bash
# The embedded default: synthetic corpus -> preprocess -> train -> eval on CPU, no downloads.
# usage: bash scripts/run_demo.sh [OUT_DIR]   (default: ./demo_run under the repository)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
USAGE="bash scripts/run_demo.sh [OUT_DIR]"
source "$ROOT/scripts/common.sh"
[[ $# -le 1 ]] || usage_exit
OUT="$(abs_path "${1:-$ROOT/demo_run}")"
cd "$ROOT"
"$PY" -m src.synthetic "$OUT/data" >/dev/null
PATHS=(--aclimdb_path="$OUT/data/aclImdb" --glove_path="$OUT/data/glove"
       --preprocess_path="$OUT/preprocess" --ckpt_path="$OUT/ckpt")
"$PY" train.py --config_path=config_demo.yaml --preprocess=true "${PATHS[@]}"
"$PY" eval.py --config_path=config_demo.yaml "${PATHS[@]}" --ckpt_file="$OUT/ckpt/lstm_best_acc.ckpt"
echo "checkpoint: $OUT/ckpt/lstm_best_acc.ckpt"
echo "preprocess folder: $OUT/preprocess"
