#!/usr/bin/env bash
# Inference on an exported MINDIR (the seed's "Inference Process"): the test split of the
# preprocess folder as binary files -> inference -> accuracy in acc.log.
#
#   MINDIR_PATH      model written by: python export.py --file_format MINDIR ...
#   DATASET_PATH     the PREPROCESS FOLDER training wrote (meta.json, vocab.txt, MindRecords),
#                    not aclImdb: the reviews must be encoded with the model's own vocabulary
#   NEED_PREPROCESS  y: write ./preprocess_Result from DATASET_PATH; n: reuse the existing one
#   DEVICE_TARGET    Ascend (default): build and run the C++ app in ascend310_infer/ (needs the
#                    Ascend toolkit and MindSpore's C++ inference API); CPU or GPU: run the MINDIR
#                    with mindspore.load + nn.GraphCell (python -m src.infer_mindir)
#   DEVICE_ID        device to run on (default 0)
#
# Everything is written to the current directory: preprocess_Result/, result_Files/ (float32
# logits per input file), preprocess.log, infer.log, postprocess.log and acc.log.
set -euo pipefail
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$SCRIPT_DIR")
USAGE="bash $0 [MINDIR_PATH] [DATASET_PATH] [NEED_PREPROCESS] [DEVICE_TARGET] [DEVICE_ID]
  DATASET_PATH is the preprocess folder training wrote; NEED_PREPROCESS is y or n;
  DEVICE_TARGET is Ascend (default), GPU or CPU; DEVICE_ID defaults to 0"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

if [[ $# -ge 1 && ($1 == -h || $1 == --help) ]]; then
  printf 'usage: %s\n' "$USAGE"
  exit 0
fi
[[ $# -ge 3 && $# -le 5 ]] || usage_exit
# shellcheck source=infer_common.sh
source "$SCRIPT_DIR/infer_common.sh"
check_file MINDIR_PATH "$1"
check_dir DATASET_PATH "$2"
check_need_preprocess "$3"
DEVICE_TARGET=${4:-Ascend}
case $DEVICE_TARGET in
  GPU | CPU | Ascend) ;;
  *) arg_error "DEVICE_TARGET must be one of GPU, CPU, Ascend, got '$DEVICE_TARGET'" ;;
esac
DEVICE_ID=${5:-0}
check_device_id "$DEVICE_ID"
MODEL=$(abs_path "$1")
DATA=$(abs_path "$2")
NEED_PREPROCESS=$3
OUT=$PWD
export DEVICE_ID RANK_SIZE=1 RANK_ID=0

if [[ $DEVICE_TARGET == Ascend ]]; then
  # fail before any work when the app cannot be built here
  ASCEND_HOME=${ASCEND_HOME:-/usr/local/Ascend}
  if [[ -z ${MINDSPORE_PATH:-} ]]; then
    MINDSPORE_PATH=$("$PY" -c 'import os, mindspore; print(os.path.dirname(mindspore.__file__))' 2>/dev/null) \
      || MINDSPORE_PATH=""
  fi
  missing=()
  [[ -d $ASCEND_HOME ]] || missing+=("the Ascend toolkit (ASCEND_HOME=$ASCEND_HOME does not exist)")
  [[ -n $MINDSPORE_PATH && -f $MINDSPORE_PATH/include/api/model.h ]] \
    || missing+=("MindSpore's C++ inference API (no include/api/model.h under MINDSPORE_PATH='$MINDSPORE_PATH'; an Ascend build of MindSpore has it)")
  command -v cmake >/dev/null || missing+=("cmake")
  command -v g++ >/dev/null || missing+=("g++")
  if [[ ${#missing[@]} -gt 0 ]]; then
    what=$(printf '%s; ' "${missing[@]}")
    printf 'error: DEVICE_TARGET Ascend builds and runs the C++ app in ascend310_infer/, which needs %s. Without an Ascend 310, run the MINDIR on CPU: bash %s %s %s %s CPU\n' \
      "${what%; }" "$0" "$1" "$2" "$3" >&2
    exit 1
  fi
  export ASCEND_HOME MINDSPORE_PATH
fi

prepare_inputs "$NEED_PREPROCESS"
rm -rf "$OUT/result_Files"
if [[ $DEVICE_TARGET == Ascend ]]; then
  step "build ascend310_infer" "$OUT/build.log" bash "$ROOT/ascend310_infer/build.sh"
  BATCH=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["batch_size"])' \
    "$OUT/preprocess_Result/infer_info.json")
  mkdir -p "$OUT/result_Files"
  step "inference (Ascend, device $DEVICE_ID)" "$OUT/infer.log" \
    "$ROOT/ascend310_infer/out/main" --mindir_path="$MODEL" \
    --input0_path="$OUT/preprocess_Result/00_data" --input1_path="$OUT/preprocess_Result/01_data" \
    --result_dir="$OUT/result_Files" --batch_size="$BATCH" --device_id="$DEVICE_ID"
else
  step "inference ($DEVICE_TARGET, mindspore.load + nn.GraphCell)" "$OUT/infer.log" \
    "$PY" -m src.infer_mindir --mindir_file="$MODEL" --result_path="$OUT/preprocess_Result" \
    --result_dir="$OUT/result_Files" --device_target="$DEVICE_TARGET"
fi
score_results
echo "accuracy written to $OUT/acc.log"
