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

# ---- distributed launchers ------------------------------------------------------
# The run_distribute_train_*.sh scripts. They run in the foreground: the launcher waits
# for every worker and its exit code says how the job ended (0 done, 1 a worker failed,
# 124 LSTM_TIMEOUT ran out, 130 interrupted).

# check_count NAME VALUE [MAX]: a positive integer, at most MAX.
check_count() {
  local name=$1 value=$2 max=${3:-}
  [[ $value =~ ^[0-9]{1,6}$ ]] && ((10#$value >= 1)) \
    || arg_error "$name must be a positive integer, got '$value'"
  if [[ -n $max ]] && ((10#$value > max)); then
    arg_error "$name must be at most $max, got '$value'"
  fi
}

# check_env_int NAME MIN [MAX]: an environment variable, when set and not blank, must be
# an integer in [MIN, MAX].
check_env_int() {
  local name=$1 min=$2 max=${3:-999999999} value=${!1-}
  [[ -z ${value// /} ]] && return 0
  if ! [[ $value =~ ^[0-9]{1,9}$ ]] || ((10#$value < min || 10#$value > max)); then
    if ((max == 999999999)); then
      arg_error "environment variable $name must be an integer >= $min, got '$value'"
    fi
    arg_error "environment variable $name must be an integer in [$min, $max], got '$value'"
  fi
}

# A TCP port nothing listens on, below Linux's ephemeral range (so no outgoing connection
# holds it either). msrun's scheduler binds it.
free_port() {
  local port _
  for _ in {1..100}; do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  arg_error "found no free TCP port for msrun: set MASTER_PORT"
}

# seconds left before LSTM_TIMEOUT (0 = no limit); DEADLINE is set by start_deadline
start_deadline() {
  check_env_int LSTM_TIMEOUT 1
  TIMEOUT=$((10#${LSTM_TIMEOUT:-0}))
  DEADLINE=$((SECONDS + TIMEOUT))
}

timed_out() {
  ((TIMEOUT > 0 && SECONDS >= DEADLINE))
}

# start_launch_log LOG TRAIN_PY ARGS...: versions, a worker's command, then the resolved config.
start_launch_log() {
  local log=$1
  shift
  mkdir -p -- "$(dirname -- "$log")"
  log_header "$PY" "$@" >"$log"
  {
    echo "resolved config:"
    "$PY" "$@" --print_config 2>&1 | sed 's/^/  /'
  } >>"$log" || true
}

# preprocess_once LOG ARGS...: build or check the preprocess folder once, before any
# worker starts (the workers then only read it). ARGS are train.py's options.
preprocess_once() {
  local log=$1 rc=0
  shift
  local limit=()
  ((TIMEOUT > 0)) && limit=(timeout --kill-after=10 "$((DEADLINE - SECONDS > 1 ? DEADLINE - SECONDS : 1))")
  echo "preprocessing once for all workers (log: $log)"
  "${limit[@]}" "$PY" -m src.prepare "$@" 2>&1 | tee -a "$log" || rc=$?
  if ((rc == 124 && TIMEOUT > 0)) && timed_out; then
    printf 'error: timed out after %ss (LSTM_TIMEOUT) while preprocessing, no worker was started\n' "$TIMEOUT" >&2
    exit 124
  fi
  if ((rc != 0)); then
    printf 'error: preprocessing failed (exit code %s), no worker was started: see %s\n' "$rc" "$log" >&2
    exit 1
  fi
}

# show_failure LOG: the error a failed worker printed (or its last lines), on stderr.
show_failure() {
  local log=$1 line
  [[ -f $log ]] || return 0
  line=$(grep -a -m1 -E '^error: ' -- "$log" || true)
  if [[ -n $line ]]; then
    printf '  %s\n' "$line" >&2
  else
    tail -n 5 -- "$log" | sed 's/^/  | /' >&2
  fi
}

# make_python_shim DIR STATUS_DIR: DIR/python for msrun to start. msrun runs its
# scheduler and each worker as `python SCRIPT ...` from PATH; the shim runs $PY instead
# and, for a worker, records its process group (STATUS_DIR/local_<i>.pid) and exit code
# (STATUS_DIR/local_<i>.rc), where <i> is the worker's index on this machine.
make_python_shim() {
  local dir=$1 status=$2 real
  # the interpreter itself rather than a wrapper such as a pyenv shim, which would find
  # this very shim first on PATH
  real=$("$PY" -c 'import sys; print(sys.executable)' 2>/dev/null) || real=
  if ! [[ $real == /* && -x $real ]]; then
    real=$(command -v -- "$PY") || arg_error "Python interpreter '$PY' not found (set PYTHON)"
    [[ $real == /* ]] || real=$(abs_path "$real")
  fi
  cat >"$dir/python" <<SHIM
#!/usr/bin/env bash
if [[ \${MS_ROLE:-} != MS_WORKER ]]; then
  [[ \${MS_ROLE:-} == MS_SCHED ]] && echo \$\$ >$(printf %q "$status")/scheduler.pid
  exec $(printf %q "$real") "\$@"
fi
i=\${DEVICE_ID:-0}
echo \$\$ >$(printf %q "$status")/local_\$i.pid
$(printf %q "$real") "\$@"
rc=\$?
echo \$rc >$(printf %q "$status")/local_\$i.rc
exit \$rc
SHIM
  chmod +x "$dir/python"
}

# kill_status_pids STATUS_DIR: whatever msrun left running (worker process groups, the
# scheduler) after it was stopped.
kill_status_pids() {
  local status=$1 f pid
  for f in "$status"/local_*.pid; do
    [[ -f $f ]] || continue
    read -r pid <"$f" || continue
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [[ -f $status/scheduler.pid ]]; then
    read -r pid <"$status/scheduler.pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
}

# stop_msrun PID: msrun's SIGINT handler kills its workers and scheduler; KILL if it hangs.
stop_msrun() {
  local pid=$1 _
  kill -INT "$pid" 2>/dev/null || return 0
  for _ in {1..20}; do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# failed_workers STATUS_DIR: "<index> <exit code>" of each worker that failed, first first.
failed_workers() {
  local f code i
  # shellcheck disable=SC2012  # names are local_<digits>.rc
  for f in $(ls -1tr -- "$1" 2>/dev/null | grep -E '^local_[0-9]+\.rc$'); do
    read -r code <"$1/$f" || continue
    [[ $code == 0 ]] && continue
    i=${f#local_}
    echo "${i%.rc} $code"
  done
}

# run_msrun NAME WORKER_NUM LOG_DIR TRAIN_PY ARGS...: data-parallel training under msrun,
# then exit with the job's status. Several machines: run it on each with the same
# MASTER_ADDR and MASTER_PORT, LOCAL_WORKER_NUM (workers on this machine) and its own
# NODE_RANK (0 on the machine at MASTER_ADDR).
run_msrun() {
  local name=$1 workers=$2 log_dir=$3
  shift 3
  start_deadline
  check_env_int LOCAL_WORKER_NUM 1 "$workers"
  check_env_int NODE_RANK 0
  check_env_int MASTER_PORT 1024 65535
  local local_num=$((10#${LOCAL_WORKER_NUM:-$workers})) node_rank=${NODE_RANK:-}
  local addr=${MASTER_ADDR:-127.0.0.1} port=${MASTER_PORT:-}
  if ((local_num < workers)); then
    [[ -n $node_rank && -n $port && -n ${MASTER_ADDR:-} ]] || arg_error "LOCAL_WORKER_NUM $local_num < $workers" \
      "workers means several machines: set MASTER_ADDR, MASTER_PORT and NODE_RANK too (see docs/distributed.md)"
  fi
  [[ -n $port ]] || port=$(free_port)
  port=$((10#$port))
  node_rank=$((10#${node_rank:-0}))
  local first=0
  ((local_num < workers)) && first=$((node_rank * local_num))

  local status=$log_dir/status launch_log=$log_dir/launch.log i
  mkdir -p -- "$log_dir"
  rm -rf -- "$status" "$log_dir"/worker_*.log "$log_dir/scheduler.log"
  mkdir -p -- "$status"
  start_launch_log "$launch_log" "$@"
  echo "$name: $workers workers ($local_num on this machine), master $addr:$port"
  echo "logs in $log_dir:"
  echo "  launcher (config, preprocessing, msrun): $launch_log"
  for ((i = 0; i < local_num; i++)); do
    echo "  worker $((first + i)): $log_dir/worker_$((first + i)).log"
  done
  preprocess_once "$launch_log" "${@:2}"

  SHIM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lstm_msrun.XXXXXX")
  make_python_shim "$SHIM_DIR" "$status"
  local msrun=(--worker_num="$workers" --local_worker_num="$local_num" --master_addr="$addr"
               --master_port="$port" --log_dir="$log_dir" --join=True --tail_worker_log=0)
  ((local_num < workers)) && msrun+=(--node_rank="$node_rank")
  echo "msrun ${msrun[*]} $*" >>"$launch_log"
  # msrun exports RANK_SIZE, RANK_ID and DEVICE_ID itself; a rank table is Ascend's other way
  unset RANK_TABLE_FILE RANK_ID RANK_SIZE DEVICE_ID
  PATH="$SHIM_DIR:$PATH" "$PY" -m mindspore.parallel.cluster.run "${msrun[@]}" "$@" \
    > >(tee -a "$launch_log") 2>&1 </dev/null &
  MSRUN_PID=$!
  STATUS_DIR=$status
  trap 'stop_msrun "$MSRUN_PID"; kill_status_pids "$STATUS_DIR"; rm -rf -- "$SHIM_DIR"; echo "error: interrupted" >&2; exit 130' INT TERM
  trap 'rm -rf -- "$SHIM_DIR"' EXIT

  local outcome=running failed_at=-1
  while kill -0 "$MSRUN_PID" 2>/dev/null; do
    if timed_out; then
      outcome=timeout
      stop_msrun "$MSRUN_PID"
      break
    fi
    if ((failed_at < 0)) && [[ -n $(failed_workers "$status") ]]; then
      failed_at=$SECONDS
    fi
    # msrun kills the other workers within a second, then waits ~30 s for its scheduler
    # to notice they are gone: stop it once they are
    if ((failed_at >= 0 && SECONDS - failed_at >= 3)); then
      stop_msrun "$MSRUN_PID"
      break
    fi
    sleep 1
  done
  local rc=0
  wait "$MSRUN_PID" || rc=$?
  kill_status_pids "$status"
  trap - INT TERM

  if [[ $outcome == timeout ]]; then
    printf 'error: %s timed out after %ss (LSTM_TIMEOUT): stopped msrun and its workers; logs in %s\n' \
      "$name" "$TIMEOUT" "$log_dir" >&2
    exit 124
  fi
  local failures index code log
  failures=$(failed_workers "$status")
  if [[ -n $failures ]]; then
    while read -r index code; do
      log=$log_dir/worker_$((first + index)).log
      printf 'error: worker %s failed with exit code %s, log: %s\n' "$((first + index))" "$code" "$log" >&2
      show_failure "$log"
    done <<<"$failures"
    exit 1
  fi
  local done_count
  done_count=$(find "$status" -name 'local_*.rc' | wc -l)
  if ((rc != 0 || done_count < local_num)); then
    printf 'error: msrun exited with code %s and %s of %s workers finished: see %s and %s\n' \
      "$rc" "$done_count" "$local_num" "$launch_log" "$log_dir/scheduler.log" >&2
    exit 1
  fi
  echo "$name finished: all $local_num workers on this machine exited normally; logs in $log_dir"
}

# run_rank_table NAME DEVICE_NUM LOG_DIR TRAIN_PY ARGS...: Ascend's rank-table start, one
# background process per device (DEVICE_ID = RANK_ID = i, RANK_SIZE = DEVICE_NUM) with
# its own log; waits for all of them and stops the rest as soon as one fails.
run_rank_table() {
  local name=$1 devices=$2 log_dir=$3
  shift 3
  start_deadline
  local launch_log=$log_dir/launch.log i
  mkdir -p -- "$log_dir"
  rm -f -- "$log_dir"/worker_*.log
  start_launch_log "$launch_log" "$@"
  echo "$name: $devices devices, rank table $RANK_TABLE_FILE"
  echo "logs in $log_dir:"
  echo "  launcher (config, preprocessing): $launch_log"
  for ((i = 0; i < devices; i++)); do
    echo "  device $i: $log_dir/worker_$i.log"
  done
  preprocess_once "$launch_log" "${@:2}"

  local pids=() codes=()
  for ((i = 0; i < devices; i++)); do
    log_header "$PY" "$@" --device_id="$i" >"$log_dir/worker_$i.log"
    (
      export DEVICE_ID=$i RANK_ID=$i RANK_SIZE=$devices RANK_TABLE_FILE
      exec "$PY" "$@" --device_id="$i" >>"$log_dir/worker_$i.log" 2>&1 </dev/null
    ) &
    pids+=($!)
    codes+=(running)
  done
  WORKER_PIDS="${pids[*]}"
  trap 'disown -a; kill -KILL $WORKER_PIDS 2>/dev/null; echo "error: interrupted" >&2; exit 130' INT TERM

  local left=$devices failed=() rc
  while ((left > 0)); do
    for ((i = 0; i < devices; i++)); do
      [[ ${codes[i]} == running ]] || continue
      kill -0 "${pids[i]}" 2>/dev/null && continue
      rc=0
      wait "${pids[i]}" || rc=$?
      codes[i]=$rc
      left=$((left - 1))
      ((rc == 0)) || failed+=("$i")
    done
    if ((${#failed[@]} > 0)) || timed_out; then
      # the others would wait in a collective until HCCL's own timeout
      # (disowned first: bash would report each kill on stderr)
      for ((i = 0; i < devices; i++)); do
        if [[ ${codes[i]} == running ]]; then
          disown "${pids[i]}" 2>/dev/null || true
          kill -KILL "${pids[i]}" 2>/dev/null || true
        fi
      done
      break
    fi
    ((left > 0)) && sleep 1
  done
  trap - INT TERM
  if ((${#failed[@]} == 0 && left > 0)); then
    printf 'error: %s timed out after %ss (LSTM_TIMEOUT): stopped all devices; logs in %s\n' \
      "$name" "$TIMEOUT" "$log_dir" >&2
    exit 124
  fi
  if ((${#failed[@]} > 0)); then
    for i in "${failed[@]}"; do
      printf 'error: device %s (rank %s) failed with exit code %s, log: %s\n' "$i" "$i" "${codes[i]}" \
        "$log_dir/worker_$i.log" >&2
      show_failure "$log_dir/worker_$i.log"
    done
    exit 1
  fi
  echo "$name finished: all $devices devices exited normally; logs in $log_dir"
}
