"""Data-parallel training: per-rank shards, the distributed launchers, and 2 CPU workers.

* ShardBatches and read_shard run in-process (no collectives needed).
* The launchers' argument checks and their plumbing (msrun flags, per-worker logs, failure
  reports, timeouts) run against a fake interpreter that plays msrun and the workers.
* The slow tests start 2 real CPU workers under msrun through the CPU launcher on the
  synthetic corpus, in a throwaway copy of the repository.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from src import dataset as data_lib
from src.distributed import ShardBatches, read_shard
from src.model_utils.config import get_config
from tests.conftest import DEMO_FLAGS

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
LAUNCHERS = ["run_distribute_train_cpu.sh", "run_distribute_train_gpu.sh", "run_distribute_train_ascend.sh"]


# --- ShardBatches --------------------------------------------------------------------

def fake_shard(n, seed, max_len=80):
    rng = np.random.RandomState(seed)
    lengths = rng.randint(1, max_len + 1, n)
    ids = [rng.randint(2, 50, k).astype(np.int32) for k in lengths]
    labels = rng.randint(0, 2, n).astype(np.int32)
    return ids, lengths.astype(np.int64), labels


def shard_batches(n, rank, per_rank, batch=16, width=20, seed=1, pool=4):
    ids, lengths, labels = fake_shard(n, seed=100 + rank)
    return ShardBatches(ids, lengths, labels, batch, 80, width, seed, rank, per_rank, pool_batches=pool)


def test_every_rank_has_the_same_steps_in_every_epoch():
    # shards of 381 and 380 reviews (an odd split): both use 380 and cut 23 batches of 16
    ranks = [shard_batches(381, 0, 380), shard_batches(380, 1, 380)]
    for epoch in range(4):
        plans = [r.plan(epoch) for r in ranks]
        assert [len(p) for p in plans] == [23, 23]
        for plan in plans:
            rows = np.concatenate(plan)
            assert all(len(b) == 16 for b in plan)
            assert len(set(rows.tolist())) == len(rows)  # no review twice in an epoch
    assert len(ranks[0]) == 23


def test_batches_are_length_aligned_across_ranks():
    a, b = shard_batches(2000, 0, 2000, pool=8), shard_batches(2000, 1, 2000, pool=8)
    for epoch in range(2):
        la = [int(a.lengths[r].max()) for r in a.plan(epoch)]
        lb = [int(b.lengths[r].max()) for r in b.plan(epoch)]
        # step by step, both ranks train on batches of about the same length
        assert np.corrcoef(la, lb)[0, 1] > 0.9
        assert np.mean(np.abs(np.subtract(la, lb))) < 8


def test_epochs_differ_and_repeat():
    r = shard_batches(400, 0, 400)
    first, again, other = r.plan(0), r.plan(0), r.plan(1)
    assert all(np.array_equal(x, y) for x, y in zip(first, again))  # a resumed run sees the same batches
    assert not all(np.array_equal(x, y) for x, y in zip(first, other))


def test_iteration_advances_the_epoch_and_pads_to_buckets():
    r = shard_batches(100, 0, 100)
    epoch0 = list(r)
    epoch1 = list(r)
    assert r.epoch == 2 and len(epoch0) == len(epoch1) == 6
    for ids, length, label in epoch0:
        assert ids.dtype == np.int32 and length.dtype == np.int32 and label.dtype == np.int32
        assert ids.shape[1] % 20 == 0 and length.max() <= ids.shape[1] < length.max() + 20
        assert (ids[np.arange(len(ids)), length - 1] != 0).all()
        assert all((row[n:] == 0).all() for row, n in zip(ids, length))
    assert any(e[0].shape[1] != f[0].shape[1] for e, f in zip(epoch0, epoch1))


def test_without_buckets_every_batch_is_max_len():
    r = shard_batches(100, 0, 100, width=0)
    assert {ids.shape for ids, _, _ in r} == {(16, 80)}


# --- read_shard ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(demo, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("pre") / "preprocess")
    settings = data_lib.preprocess_settings(get_config(DEMO_FLAGS))
    data_lib.preprocess(demo["aclimdb"], demo["glove"], out, settings, log=lambda *a: None)
    return out


def test_shards_are_disjoint_halves_with_both_classes(folder):
    import mindspore.dataset as ds
    ds.config.set_seed(1)
    seen = []
    for rank in range(2):
        ids, lengths, labels, total = read_shard(folder, "train", 2, rank)
        assert total == 760 and len(ids) == len(lengths) == len(labels) == 380
        assert 0.3 < labels.mean() < 0.7
        assert all(len(x) == n for x, n in zip(ids, lengths))
        seen.append({tuple(x.tolist()) for x in ids})
    assert not seen[0] & seen[1] and len(seen[0] | seen[1]) >= 750  # (a few reviews repeat in the corpus)


def test_missing_split_is_named(folder, tmp_path):
    shutil.copytree(folder, tmp_path / "pre")
    os.remove(tmp_path / "pre" / data_lib.mindrecord_name("train"))
    with pytest.raises(data_lib.PreprocessError, match="has no train split"):
        read_shard(str(tmp_path / "pre"), "train", 2, 0)


# --- launchers with a fake msrun -----------------------------------------------------

FAKE_VERSION = "python 3.0-fake | mindspore 0.0-fake | numpy 0.0-fake"

# Plays every interpreter call a launcher makes: the version probe, `-m src.prepare`,
# msrun (`-m mindspore.parallel.cluster.run`, which starts `python` from PATH as msrun
# does, i.e. the launcher's shim), and train.py as scheduler or worker. Worker r behaves
# as $FAKE_WORKER_<r> says: "exit:N", "exit:N:S" (after S seconds) or "sleep:S" (default exit:0).
FAKE_PYTHON = textwrap.dedent("""\
    #!{python}
    import json, os, signal, subprocess, sys, time
    argv = sys.argv[1:]
    def record(kind, **extra):
        with open(os.environ["FAKE_RECORD"], "a") as f:
            f.write(json.dumps(dict(kind=kind, argv=argv, **extra)) + "\\n")
    if argv[:1] == ["-c"]:
        print({version!r})
        sys.exit(0)
    if argv[:2] == ["-m", "src.prepare"]:
        record("prepare", cwd=os.getcwd())
        print("preprocess folder: fake")
        sys.exit(int(os.environ.get("FAKE_PREPARE_EXIT", "0")))
    if argv[:2] == ["-m", "mindspore.parallel.cluster.run"]:
        opts, rest = {{}}, argv[2:]
        while rest and rest[0].startswith("--"):
            key, value = rest.pop(0)[2:].split("=", 1)
            opts[key] = value
        record("msrun", opts=opts, script=rest)
        procs = []
        def kill_workers():
            for p in procs:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        def on_sigint(*_):
            kill_workers()
            sys.exit(0)
        signal.signal(signal.SIGINT, on_sigint)
        subprocess.Popen(["python"] + rest, env=dict(os.environ, MS_ROLE="MS_SCHED", RANK_ID="0"))
        for i in range(int(opts["local_worker_num"])):
            env = dict(os.environ, MS_ROLE="MS_WORKER", DEVICE_ID=str(i), RANK_ID=str(i),
                       RANK_SIZE=opts["worker_num"])
            log = open(os.path.join(opts["log_dir"], f"worker_{{i}}.log"), "w")
            procs.append(subprocess.Popen(["python"] + rest, env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
        while True:
            codes = [p.poll() for p in procs]
            if any(c not in (None, 0) for c in codes):
                # as msrun: kill the others, then wait for the scheduler (for ever here)
                kill_workers()
                while True:
                    time.sleep(1)
            if all(c == 0 for c in codes):
                sys.exit(0)
            time.sleep(0.1)
    if "--print_config" in argv:
        print("fake_key: fake_value")
        sys.exit(0)
    role = os.environ.get("MS_ROLE", "")
    env = {{k: os.environ.get(k) for k in ("DEVICE_ID", "RANK_ID", "RANK_SIZE", "RANK_TABLE_FILE", "PATH")}}
    record("train", role=role, env=env, pid=os.getpid())
    if role == "MS_SCHED":
        sys.exit(0)
    print("fake worker output")
    action = os.environ.get("FAKE_WORKER_" + os.environ.get("RANK_ID", "0"), "exit:0")
    kind, value, *delay = action.split(":")
    time.sleep(float(value) if kind == "sleep" else float(delay[0]) if delay else 0)
    if kind == "exit" and value != "0":
        print("error: fake failure of rank " + os.environ.get("RANK_ID", "?"))
    sys.exit(int(value) if kind == "exit" else 0)
    """)


@pytest.fixture
def repo(tmp_path):
    """scripts/ copied into a throwaway root, inputs next to it, a fake interpreter."""
    root = tmp_path / "repo"
    shutil.copytree(SCRIPTS, root / "scripts")
    (tmp_path / "data" / "aclImdb").mkdir(parents=True)
    (tmp_path / "data" / "glove").mkdir()
    (tmp_path / "data" / "rank_table.json").write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    fake = tmp_path / "fake_python"
    fake.write_text(FAKE_PYTHON.format(python=sys.executable, version=FAKE_VERSION))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return root


def launch(repo_root, script, args, timeout=60, **env):
    tmp = repo_root.parent
    full = dict(os.environ, PYTHON=str(tmp / "fake_python"), FAKE_RECORD=str(tmp / "record.jsonl"))
    for name in ("LSTM_TIMEOUT", "MASTER_PORT", "MASTER_ADDR", "NODE_RANK", "LOCAL_WORKER_NUM"):
        full.pop(name, None)
    full.update({k: str(v) for k, v in env.items()})
    start = time.monotonic()
    res = subprocess.run([str(repo_root / "scripts" / script), *args], cwd=tmp / "elsewhere", env=full,
                         capture_output=True, text=True, timeout=timeout)
    res.seconds = time.monotonic() - start
    return res


def records(repo_root, kind=None):
    path = repo_root.parent / "record.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return [r for r in rows if kind is None or r["kind"] == kind]


def flags(argv):
    return dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie waiting for its parent counts as gone
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


MSRUN_ARGS = ["2", "../data/aclImdb", "../data/glove"]
RANK_TABLE_ARGS = ["../data/rank_table.json", "4", "../data/aclImdb", "../data/glove"]


@pytest.mark.parametrize("script", LAUNCHERS)
def test_launchers_are_executable(script):
    assert os.access(SCRIPTS / script, os.X_OK)


@pytest.mark.parametrize("script,names", [
    ("run_distribute_train_cpu.sh", "WORKER_NUM ACLIMDB_DIR GLOVE_DIR"),
    ("run_distribute_train_gpu.sh", "DEVICE_NUM ACLIMDB_DIR GLOVE_DIR"),
    ("run_distribute_train_ascend.sh", "RANK_TABLE_FILE DEVICE_NUM ACLIMDB_DIR GLOVE_DIR")])
def test_usage(repo, script, names):
    res = launch(repo, script, ["2"])
    assert res.returncode == 2 and res.stderr.startswith("usage: ") and names in res.stderr
    res = launch(repo, script, ["--help"])
    assert res.returncode == 0 and names in res.stdout
    assert not records(repo)


@pytest.mark.parametrize("script", LAUNCHERS[:2])
@pytest.mark.parametrize("bad", ["x", "0", "-1", "1.5", "", "2x"])
def test_bad_worker_count(repo, script, bad):
    name = "WORKER_NUM" if "cpu" in script else "DEVICE_NUM"
    res = launch(repo, script, [bad, "../data/aclImdb", "../data/glove"])
    assert res.returncode == 2
    assert res.stderr == f"error: {name} must be a positive integer, got '{bad}'\n"
    assert not records(repo)


@pytest.mark.parametrize("bad,message", [("x", "must be a positive integer"), ("9", "must be at most 8")])
def test_bad_ascend_device_num(repo, bad, message):
    args = list(RANK_TABLE_ARGS)
    args[1] = bad
    res = launch(repo, "run_distribute_train_ascend.sh", args)
    assert res.returncode == 2 and res.stderr == f"error: DEVICE_NUM {message}, got '{bad}'\n"


@pytest.mark.parametrize("script,position,name,message", [
    ("run_distribute_train_cpu.sh", 1, "ACLIMDB_DIR", "is not an existing directory"),
    ("run_distribute_train_gpu.sh", 1, "ACLIMDB_DIR", "is not an existing directory"),
    ("run_distribute_train_cpu.sh", 2, "GLOVE_DIR", "does not exist"),
    ("run_distribute_train_ascend.sh", 0, "RANK_TABLE_FILE", "is not an existing file"),
    ("run_distribute_train_ascend.sh", 2, "ACLIMDB_DIR", "is not an existing directory"),
    ("run_distribute_train_ascend.sh", 3, "GLOVE_DIR", "does not exist")])
def test_missing_paths_are_named(repo, script, position, name, message):
    args = list(RANK_TABLE_ARGS if "ascend" in script else MSRUN_ARGS)
    args[position] = "../data/nothing_here"
    res = launch(repo, script, args)
    assert res.returncode == 2
    assert res.stderr == f"error: {name} '../data/nothing_here' {message}\n"
    assert not records(repo)


def test_rank_table_must_be_a_file(repo):
    args = list(RANK_TABLE_ARGS)
    args[0] = "../data/glove"
    res = launch(repo, "run_distribute_train_ascend.sh", args)
    assert res.returncode == 2 and "RANK_TABLE_FILE '../data/glove' is not an existing file" in res.stderr


@pytest.mark.parametrize("env,message", [
    ({"LSTM_TIMEOUT": "soon"}, "environment variable LSTM_TIMEOUT must be an integer >= 1, got 'soon'"),
    ({"LSTM_TIMEOUT": "0"}, "environment variable LSTM_TIMEOUT must be an integer >= 1, got '0'"),
    ({"MASTER_PORT": "80"}, "environment variable MASTER_PORT must be an integer in [1024, 65535], got '80'"),
    ({"MASTER_PORT": "http"}, "environment variable MASTER_PORT must be an integer in [1024, 65535], got 'http'"),
    ({"LOCAL_WORKER_NUM": "3"}, "environment variable LOCAL_WORKER_NUM must be an integer in [1, 2], got '3'"),
    ({"NODE_RANK": "-1"}, "environment variable NODE_RANK must be an integer >= 0, got '-1'"),
    ({"LOCAL_WORKER_NUM": "1"}, "LOCAL_WORKER_NUM 1 < 2 workers means several machines: set MASTER_ADDR, "
                                "MASTER_PORT and NODE_RANK too (see docs/distributed.md)")])
def test_bad_environment_is_one_line(repo, env, message):
    res = launch(repo, "run_distribute_train_cpu.sh", MSRUN_ARGS, **env)
    assert res.returncode == 2
    assert res.stderr == f"error: {message}\n"
    assert not records(repo, "msrun")


def test_cpu_launcher_runs_msrun(repo):
    tmp = repo.parent
    res = launch(repo, "run_distribute_train_cpu.sh", MSRUN_ARGS + ["--num_epochs=1"], LSTM_TIMEOUT=60)
    assert res.returncode == 0, res.stderr
    log_dir = repo / "log_distribute_cpu"
    for i in range(2):
        assert f"worker {i}: {log_dir}/worker_{i}.log" in res.stdout
        assert (log_dir / f"worker_{i}.log").read_text() == "fake worker output\n"
    assert f"launcher (config, preprocessing, msrun): {log_dir}/launch.log" in res.stdout
    assert "all 2 workers on this machine exited normally" in res.stdout

    # preprocessing ran once, before msrun, with train.py's options
    prepare, msrun = records(repo, "prepare"), records(repo, "msrun")
    assert len(prepare) == 1 and len(msrun) == 1
    assert [r["kind"] for r in records(repo)][:2] == ["prepare", "msrun"]
    assert flags(prepare[0]["argv"])["aclimdb_path"] == str(tmp / "data" / "aclImdb")
    opts = msrun[0]["opts"]
    assert opts["worker_num"] == "2" and opts["local_worker_num"] == "2" and opts["join"] == "True"
    assert opts["master_addr"] == "127.0.0.1" and 20000 <= int(opts["master_port"]) < 32000
    assert opts["log_dir"] == str(log_dir) and "node_rank" not in opts
    script = msrun[0]["script"]
    assert script[0] == str(repo / "train.py") and script[-1] == "--num_epochs=1"
    f = flags(script[1:])
    assert f["distribute"] == "true" and f["device_target"] == "CPU" and f["preprocess"] == "false"
    assert f["config_path"] == str(repo / "default_config.yaml")
    assert f["ckpt_path"] == str(repo / "ckpt_distribute_cpu")
    assert f["preprocess_path"] == str(repo / "preprocess")
    assert int(f["cpu_threads"]) == max(1, os.cpu_count() // 2)

    workers = [r for r in records(repo, "train") if r["role"] == "MS_WORKER"]
    assert sorted(r["env"]["RANK_ID"] for r in workers) == ["0", "1"]
    # msrun started the workers with the launcher's interpreter, through its shim
    assert all(os.path.basename(r["env"]["PATH"].split(":")[0]).startswith("lstm_msrun.") for r in workers)
    assert not os.path.exists(workers[0]["env"]["PATH"].split(":")[0])  # shim removed afterwards

    lines = (log_dir / "launch.log").read_text().splitlines()
    assert lines[0] == FAKE_VERSION
    assert lines[1].startswith("command: ") and "train.py" in lines[1]
    assert lines[2] == "resolved config:" and lines[3] == "  fake_key: fake_value"
    assert "preprocess folder: fake" in lines


def test_master_port_and_several_machines(repo):
    res = launch(repo, "run_distribute_train_gpu.sh", ["4", "../data/aclImdb", "../data/glove"],
                 MASTER_ADDR="10.0.0.1", MASTER_PORT="23456", NODE_RANK="1", LOCAL_WORKER_NUM="2")
    opts = records(repo, "msrun")[0]["opts"]
    assert opts["master_addr"] == "10.0.0.1" and opts["master_port"] == "23456"
    assert opts["worker_num"] == "4" and opts["local_worker_num"] == "2" and opts["node_rank"] == "1"
    assert flags(records(repo, "msrun")[0]["script"][1:])["device_target"] == "GPU"
    # this machine's workers are ranks 2 and 3
    assert "worker 2: " in res.stdout and "worker 3: " in res.stdout and "worker 0: " not in res.stdout


def test_failing_worker_is_named_and_the_rest_stopped(repo):
    res = launch(repo, "run_distribute_train_cpu.sh", MSRUN_ARGS, FAKE_WORKER_0="sleep:120",
                 FAKE_WORKER_1="exit:3:2")
    log = repo / "log_distribute_cpu" / "worker_1.log"
    assert res.returncode == 1
    assert res.stderr.splitlines() == [f"error: worker 1 failed with exit code 3, log: {log}",
                                       "  error: fake failure of rank 1"]
    assert res.seconds < 30  # the fake msrun would wait for ever for its scheduler
    pids = [r["pid"] for r in records(repo, "train") if r["role"] == "MS_WORKER"]
    assert len(pids) == 2 and not any(alive(p) for p in pids)


def test_timeout_stops_everything(repo):
    res = launch(repo, "run_distribute_train_cpu.sh", MSRUN_ARGS, LSTM_TIMEOUT=3, FAKE_WORKER_0="sleep:120",
                 FAKE_WORKER_1="sleep:120")
    assert res.returncode == 124
    assert "timed out after 3s (LSTM_TIMEOUT)" in res.stderr
    assert res.seconds < 30
    pids = [r["pid"] for r in records(repo, "train") if r["role"] == "MS_WORKER"]
    assert len(pids) == 2 and not any(alive(p) for p in pids)


def test_failed_preprocessing_starts_no_worker(repo):
    res = launch(repo, "run_distribute_train_cpu.sh", MSRUN_ARGS, FAKE_PREPARE_EXIT=1)
    assert res.returncode == 1
    assert "error: preprocessing failed (exit code 1), no worker was started" in res.stderr
    assert not records(repo, "msrun")


def test_ascend_rank_table_launch(repo):
    tmp = repo.parent
    res = launch(repo, "run_distribute_train_ascend.sh", RANK_TABLE_ARGS + ["--num_epochs=1"])
    assert res.returncode == 0, res.stderr
    log_dir = repo / "log_distribute_ascend"
    workers = sorted(records(repo, "train"), key=lambda r: r["env"]["RANK_ID"])
    assert len(records(repo, "prepare")) == 1
    assert [(r["env"]["DEVICE_ID"], r["env"]["RANK_ID"], r["env"]["RANK_SIZE"]) for r in workers] == \
        [(str(i), str(i), "4") for i in range(4)]
    assert all(r["env"]["RANK_TABLE_FILE"] == str(tmp / "data" / "rank_table.json") for r in workers)
    for i, r in enumerate(workers):
        f = flags(r["argv"][1:])
        assert r["argv"][0] == str(repo / "train.py")
        assert f["config_path"] == str(repo / "config_ascend_8p.yaml") and f["device_target"] == "Ascend"
        assert f["distribute"] == "true" and f["device_num"] == "4" and f["device_id"] == str(i)
        assert f["preprocess"] == "false" and f["num_epochs"] == "1"
        lines = (log_dir / f"worker_{i}.log").read_text().splitlines()
        assert lines[0] == FAKE_VERSION and lines[-1] == "fake worker output"
        assert f"device {i}: {log_dir}/worker_{i}.log" in res.stdout


def test_ascend_failing_device_stops_the_others(repo):
    res = launch(repo, "run_distribute_train_ascend.sh", RANK_TABLE_ARGS, FAKE_WORKER_0="sleep:120",
                 FAKE_WORKER_1="sleep:120", FAKE_WORKER_2="exit:5:2", FAKE_WORKER_3="sleep:120")
    log = repo / "log_distribute_ascend" / "worker_2.log"
    assert res.returncode == 1
    assert res.stderr.splitlines() == [f"error: device 2 (rank 2) failed with exit code 5, log: {log}",
                                       "  error: fake failure of rank 2"]
    assert res.seconds < 30
    pids = [r["pid"] for r in records(repo, "train")]
    assert len(pids) == 4 and not any(alive(p) for p in pids)


# --- 2 CPU workers under msrun ---------------------------------------------------------

# a site hook that kills worker $FAIL_RANK $FAIL_AFTER seconds after it starts, as a crash
# (or the OOM killer) would: no code path of train.py knows about it
FAIL_HOOK = textwrap.dedent("""\
    import os, threading
    if os.environ.get("MS_ROLE") == "MS_WORKER" and os.environ.get("RANK_ID") == os.environ.get("FAIL_RANK"):
        def _die():
            print("error: injected crash", flush=True)
            os._exit(3)
        _t = threading.Timer(float(os.environ.get("FAIL_AFTER", "8")), _die)
        _t.daemon = True
        _t.start()
    """)

DIST_FLAGS = [f"{a}={b}" for a, b in zip(DEMO_FLAGS[::2], DEMO_FLAGS[1::2])]


@pytest.fixture(scope="module")
def dist_repo(tmp_path_factory):
    """The entry points, src/, scripts/ and configs copied to a throwaway root, so that the
    launcher's logs, preprocess folder and checkpoints land there."""
    root = tmp_path_factory.mktemp("dist") / "repo"
    root.mkdir()
    for name in ("train.py", "src", "scripts"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, root / name)
    for cfg in REPO.glob("*.yaml"):
        shutil.copy(cfg, root / cfg.name)
    return root


def run_cpu_launcher(root, demo, epochs, env=None, timeout=240, extra=()):
    full = dict(os.environ, PYTHON=sys.executable, LSTM_TIMEOUT=str(timeout - 30), **(env or {}))
    for name in ("MASTER_PORT", "MASTER_ADDR", "NODE_RANK", "LOCAL_WORKER_NUM", "LSTM_DEBUG"):
        full.pop(name, None)
    args = ["2", demo["aclimdb"], os.path.dirname(demo["glove"]),
            f"--config_path={root / 'config_demo.yaml'}", f"--num_epochs={epochs}"] + DIST_FLAGS + list(extra)
    start = time.monotonic()
    res = subprocess.run([str(root / "scripts" / "run_distribute_train_cpu.sh"), *args], cwd=root,
                         env=full, capture_output=True, text=True, timeout=timeout)
    res.seconds = time.monotonic() - start
    return res


@pytest.fixture(scope="module")
def two_workers(dist_repo, demo, tmp_path_factory):
    params = tmp_path_factory.mktemp("params")
    res = run_cpu_launcher(dist_repo, demo, 2, env={"LSTM_DUMP_PARAMS": str(params)})
    return {"res": res, "params": params, "logs": dist_repo / "log_distribute_cpu",
            "ckpt": dist_repo / "ckpt_distribute_cpu"}


@pytest.mark.slow
def test_two_workers_finish(two_workers):
    res = two_workers["res"]
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    assert "all 2 workers on this machine exited normally" in res.stdout
    for rank in range(2):
        assert (two_workers["params"] / f"rank_{rank}.npz").is_file()


@pytest.mark.slow
def test_ranks_end_with_identical_parameters(two_workers):
    a = np.load(two_workers["params"] / "rank_0.npz")
    b = np.load(two_workers["params"] / "rank_1.npz")
    # weights, optimizer state and step counter: bit for bit the same on both ranks
    assert sorted(a.files) == sorted(b.files) and len(a.files) > 10
    for name in a.files:
        assert np.array_equal(a[name], b[name]), name
    assert any("moment" in n and np.abs(a[n]).sum() > 0 for n in a.files)  # it did train


@pytest.mark.slow
def test_each_rank_reads_half_the_training_data(two_workers):
    pattern = re.compile(r"^rank (\d)/2: shard of (\d+) of (\d+) training reviews, (\d+) per epoch in "
                         r"(\d+) steps of 16$", re.M)
    found = {}
    for rank in range(2):
        m = pattern.search((two_workers["logs"] / f"worker_{rank}.log").read_text())
        assert m and int(m.group(1)) == rank
        found[rank] = tuple(map(int, m.groups()[1:]))
    assert found[0] == found[1] == (380, 760, 368, 23)
    for rank in range(2):  # and both trained 23 steps per epoch
        log = (two_workers["logs"] / f"worker_{rank}.log").read_text()
        assert "epoch: 1 step: 23, loss is " in log and "epoch: 2 step: 23, loss is " in log


@pytest.mark.slow
def test_loss_goes_down_on_every_rank(two_workers):
    hist = json.loads((two_workers["ckpt"] / "history.json").read_text())
    losses = [e["loss"] for e in hist["epochs"]]
    assert len(losses) == 2 and losses[1] < losses[0]
    for rank in range(2):
        log = (two_workers["logs"] / f"worker_{rank}.log").read_text()
        means = [float(x) for x in re.findall(r"^epoch time: .*, mean loss ([0-9.]+),", log, re.M)]
        assert len(means) == 2 and means[1] < means[0], (rank, means)


@pytest.mark.slow
def test_only_rank_0_writes(two_workers):
    ckpt = two_workers["ckpt"]
    names = sorted(os.listdir(ckpt))
    step_ckpts = [n for n in names if n.endswith(".ckpt") and n.startswith("lstm") and "-" in n]
    # a second writer would have made ModelCheckpoint add lstm_1-... files
    assert step_ckpts and all(re.fullmatch(r"lstm-\d+_\d+\.ckpt", n) for n in step_ckpts), names
    for name in ("config.yaml", "history.json", "lstm_last.ckpt", "lstm_best_acc.ckpt"):
        assert name in names
    assert not [n for n in names if ".tmp-" in n]
    rank1 = (two_workers["logs"] / "worker_1.log").read_text()
    assert "saved" not in rank1 and "valid acc" not in rank1 and "best epoch" not in rank1
    rank0 = (two_workers["logs"] / "worker_0.log").read_text()
    assert "valid acc" in rank0 and "batch 16 per worker x 2 workers" in rank0
    # the launcher's log starts with the versions and the resolved config
    launch_log = (two_workers["logs"] / "launch.log").read_text().splitlines()
    assert launch_log[0].startswith("python ") and "| mindspore " in launch_log[0] and "| numpy " in launch_log[0]
    assert "resolved config:" in launch_log and "  distribute: True" in launch_log


@pytest.mark.slow
def test_resume_continues_on_both_ranks(dist_repo, demo, two_workers, tmp_path):
    res = run_cpu_launcher(dist_repo, demo, 3, env={"LSTM_DUMP_PARAMS": str(tmp_path)},
                           extra=["--resume=true"])
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    log0 = (two_workers["logs"] / "worker_0.log").read_text()
    assert "resumed from " in log0 and "epoch: 3 step: 23" in log0 and "epoch: 1 step:" not in log0
    assert "epoch: 3 step: 23" in (two_workers["logs"] / "worker_1.log").read_text()
    hist = json.loads((two_workers["ckpt"] / "history.json").read_text())
    assert [e["epoch"] for e in hist["epochs"]] == [1, 2, 3]
    a, b = np.load(tmp_path / "rank_0.npz"), np.load(tmp_path / "rank_1.npz")
    assert all(np.array_equal(a[n], b[n]) for n in a.files)


@pytest.mark.slow
def test_crashed_worker_fails_the_launcher(dist_repo, demo, two_workers, tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(FAIL_HOOK)
    res = run_cpu_launcher(dist_repo, demo, 3, timeout=150, env={
        "PYTHONPATH": str(hook), "FAIL_RANK": "1", "FAIL_AFTER": "8"})
    log = dist_repo / "log_distribute_cpu" / "worker_1.log"
    assert res.returncode == 1, res.stdout[-2000:] + res.stderr
    assert res.stderr.splitlines()[:2] == [f"error: worker 1 failed with exit code 3, log: {log}",
                                           "  error: injected crash"]
    assert res.seconds < 100
    status = dist_repo / "log_distribute_cpu" / "status"
    for pid_file in status.glob("*.pid"):
        assert not alive(int(pid_file.read_text())), pid_file.name
