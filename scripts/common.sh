# shellcheck shell=bash
# Shared helpers of the launchers in this folder. Sourced, never run: the caller
# sets `set -euo pipefail`, USAGE and ROOT (the repository root) first.

PY=${PYTHON:-python}

# Absolute form of a path. Must run before any cd, since relative arguments are
# relative to the caller's directory. The path need not exist.
abs_path() {
  local p=$1
  if [[ -d $p ]]; then
    (cd -- "$p" && pwd)
  elif [[ -e $p && -d $(dirname -- "$p") ]]; then
    printf '%s/%s\n' "$(cd -- "$(dirname -- "$p")" && pwd)" "$(basename -- "$p")"
  elif [[ $p == /* ]]; then
    printf '%s\n' "$p"
  else
    printf '%s/%s\n' "$PWD" "${p#./}"
  fi
}

usage_exit() {
  printf 'usage: %s\n' "$USAGE" >&2
  exit 2
}

arg_error() {
  printf 'error: %s\n' "$*" >&2
  exit 2
}

# -h/--help asks for the usage on stdout; anything else short of the required
# count, or extra words that are not --options, is a mistake.
check_args() {
  local required=$1; shift
  if [[ $# -ge 1 && ($1 == -h || $1 == --help) ]]; then
    printf 'usage: %s\n' "$USAGE"
    exit 0
  fi
  [[ $# -ge $required ]] || usage_exit
  local extra
  for extra in "${@:required+1}"; do
    # a stray positional word would otherwise reach train.py as an unknown option
    [[ $extra == --* ]] || usage_exit
  done
}

check_device_id() {
  [[ $1 =~ ^[0-9]+$ ]] || arg_error "DEVICE_ID must be a non-negative integer, got '$1'"
}

check_dir() {
  [[ -d $2 ]] || arg_error "$1 '$2' is not an existing directory"
}

check_file() {
  [[ -f $2 ]] || arg_error "$1 '$2' is not an existing file"
}

check_exists() {
  [[ -e $2 ]] || arg_error "$1 '$2' does not exist"
}

log_header() {
  "$PY" -c 'import sys
def v(m):
    try:
        return __import__(m).__version__
    except Exception:
        return "not importable"
print("python", sys.version.split()[0], "| mindspore", v("mindspore"), "| numpy", v("numpy"))' 2>&1 \
    || echo "version probe failed: $PY"
  printf 'command: cd %q &&' "$PWD"
  printf ' %q' "$@"
  printf '\n'
}

# run_job NAME LOGFILE CMD...: start CMD in the background with nohup, or, with
# RUN_FOREGROUND=1, in the foreground (output also to the terminal) and exit with
# CMD's exit code.
run_job() {
  local name=$1 log=$2
  shift 2
  log_header "$@" >"$log"
  if [[ ${RUN_FOREGROUND:-0} == 1 ]]; then
    local rc=0
    # pipefail makes the pipeline's status CMD's whenever CMD fails
    "$@" 2>&1 | tee -a "$log" || rc=$?
    exit "$rc"
  fi
  nohup "$@" >>"$log" 2>&1 </dev/null &
  echo "$name started in the background, log: $log"
}
