#!/usr/bin/env bash
# Inference on an exported ONNX graph with onnxruntime: the test split of the preprocess folder
# as binary files -> inference -> accuracy in acc.log (the files run_infer_310.sh writes).
#
#   ONNX_PATH        model written by: python export.py --file_format ONNX ...
#   DATASET_PATH     the PREPROCESS FOLDER training wrote (meta.json, vocab.txt, MindRecords),
#                    not aclImdb
#   NEED_PREPROCESS  y: write ./preprocess_Result from DATASET_PATH; n: reuse the existing one
#   DEVICE_TARGET    CPU (default) or GPU (needs onnxruntime-gpu)
#
# onnxruntime is an optional dependency: pip install onnxruntime. Everything is written to the
# current directory: preprocess_Result/, result_Files/, *.log and acc.log.
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
USAGE="bash $0 [ONNX_PATH] [DATASET_PATH] [NEED_PREPROCESS] [DEVICE_TARGET]
  DATASET_PATH is the preprocess folder training wrote; NEED_PREPROCESS is y or n;
  DEVICE_TARGET is CPU (default) or GPU"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

if [[ $# -ge 1 && ($1 == -h || $1 == --help) ]]; then
  printf 'usage: %s\n' "$USAGE"
  exit 0
fi
[[ $# -ge 3 && $# -le 4 ]] || usage_exit
# shellcheck source=infer_common.sh
source "$SCRIPT_DIR/infer_common.sh"
check_file ONNX_PATH "$1"
check_dir DATASET_PATH "$2"
check_need_preprocess "$3"
DEVICE_TARGET=${4:-CPU}
case $DEVICE_TARGET in
  GPU | CPU) ;;
  *) arg_error "DEVICE_TARGET must be CPU or GPU for onnxruntime, got '$DEVICE_TARGET'" ;;
esac
MODEL=$(abs_path "$1")
DATA=$(abs_path "$2")
OUT=$PWD
export RANK_SIZE=1 RANK_ID=0

if ! "$PY" -c 'import onnxruntime' >/dev/null 2>&1; then
  echo "error: onnxruntime is not installed for $PY: pip install onnxruntime (onnxruntime-gpu for GPU)" >&2
  exit 1
fi

prepare_inputs "$3"
rm -rf "$OUT/result_Files"
step "inference (onnxruntime, $DEVICE_TARGET)" "$OUT/infer.log" \
  "$PY" -m src.infer_onnx --onnx_file="$MODEL" --result_path="$OUT/preprocess_Result" \
  --result_dir="$OUT/result_Files" --device_target="$DEVICE_TARGET"
score_results
echo "accuracy written to $OUT/acc.log"
