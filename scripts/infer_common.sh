# shellcheck shell=bash
# Shared steps of run_infer_310.sh and run_infer_onnx.sh. Sourced after common.sh; the caller
# sets ROOT, DATA (the preprocess folder) and OUT (where results go: the caller's directory).

# python -m src.* needs the repository on the import path; the scripts run from anywhere
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

check_need_preprocess() {
  [[ $1 == y || $1 == n ]] || arg_error "NEED_PREPROCESS must be y or n, got '$1'"
}

# step NAME LOG CMD...: run CMD with its output on the terminal and in LOG; stop on failure
step() {
  local name=$1 log=$2
  shift 2
  echo "== $name (log: $log)"
  local rc=0
  "$@" 2>&1 | tee "$log" || rc=$?
  if [[ $rc -ne 0 ]]; then
    printf 'error: %s failed with exit code %s, see %s\n' "$name" "$rc" "$log" >&2
    exit "$rc"
  fi
}

# the test split of DATA as binary files in OUT/preprocess_Result (y), or the existing ones (n)
prepare_inputs() {
  local need=$1
  if [[ $need == y ]]; then
    step "preprocess" "$OUT/preprocess.log" \
      "$PY" "$ROOT/preprocess.py" --preprocess_path="$DATA" --result_path="$OUT/preprocess_Result"
  elif [[ ! -f $OUT/preprocess_Result/infer_info.json ]]; then
    arg_error "NEED_PREPROCESS is n but $OUT/preprocess_Result holds no preprocess.py output: use y"
  fi
}

score_results() {
  step "postprocess" "$OUT/postprocess.log" \
    "$PY" "$ROOT/postprocess.py" --result_path="$OUT/preprocess_Result" \
    --result_dir="$OUT/result_Files" --acc_file="$OUT/acc.log"
}
