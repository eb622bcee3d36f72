"""Argument handling of the launchers in scripts/, without running any training.

Each test copies scripts/ into a throwaway repository root, so the logs the launchers
write land in tmp_path and never next to a real run's logs. The Python interpreter is
replaced (through $PYTHON) by a fake that records how it was called.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"

# script -> (positional argument names, entry point, log file, expected flags)
# In the flags, "{root}" and an ARG name stand for the absolute paths the launcher must pass.
LAUNCHERS = {
    "run_train_cpu.sh": (
        ["ACLIMDB_DIR", "GLOVE_DIR"], "train.py", "train_cpu.log",
        {"config_path": "{root}/default_config.yaml", "device_target": "CPU", "preprocess": "true",
         "aclimdb_path": "ACLIMDB_DIR", "glove_path": "GLOVE_DIR",
         "preprocess_path": "{root}/preprocess", "ckpt_path": "{root}/ckpt_cpu"}),
    "run_train_gpu.sh": (
        ["DEVICE_ID", "ACLIMDB_DIR", "GLOVE_DIR"], "train.py", "train_gpu.log",
        {"config_path": "{root}/default_config.yaml", "device_target": "GPU", "device_id": "0",
         "preprocess": "true", "aclimdb_path": "ACLIMDB_DIR", "glove_path": "GLOVE_DIR",
         "preprocess_path": "{root}/preprocess", "ckpt_path": "{root}/ckpt_gpu"}),
    "run_train_ascend.sh": (
        ["DEVICE_ID", "ACLIMDB_DIR", "GLOVE_DIR"], "train.py", "train_ascend.log",
        {"config_path": "{root}/config_ascend.yaml", "device_target": "Ascend", "device_id": "DEVICE_ID",
         "preprocess": "true", "aclimdb_path": "ACLIMDB_DIR", "glove_path": "GLOVE_DIR",
         "preprocess_path": "{root}/preprocess", "ckpt_path": "{root}/ckpt_ascend"}),
    "run_eval_cpu.sh": (
        ["ACLIMDB_DIR", "GLOVE_DIR", "CKPT_FILE"], "eval.py", "eval_cpu.log",
        {"config_path": "{root}/default_config.yaml", "device_target": "CPU", "preprocess": "true",
         "aclimdb_path": "ACLIMDB_DIR", "glove_path": "GLOVE_DIR",
         "preprocess_path": "{root}/preprocess", "ckpt_file": "CKPT_FILE"}),
    "run_eval_gpu.sh": (
        ["DEVICE_ID", "ACLIMDB_DIR", "GLOVE_DIR", "CKPT_FILE"], "eval.py", "eval_gpu.log",
        {"config_path": "{root}/default_config.yaml", "device_target": "GPU", "device_id": "0",
         "preprocess": "true", "aclimdb_path": "ACLIMDB_DIR", "glove_path": "GLOVE_DIR",
         "preprocess_path": "{root}/preprocess", "ckpt_file": "CKPT_FILE"}),
    "run_eval_ascend.sh": (
        ["DEVICE_ID", "PREPROCESS_DIR", "CKPT_FILE"], "eval.py", "eval_ascend.log",
        {"config_path": "{root}/config_ascend.yaml", "device_target": "Ascend", "device_id": "DEVICE_ID",
         "preprocess": "false", "preprocess_path": "PREPROCESS_DIR", "ckpt_file": "CKPT_FILE"}),
}

FAKE_VERSION = "python 3.0-fake | mindspore 0.0-fake | numpy 0.0-fake"

FAKE_PYTHON = textwrap.dedent("""\
    #!{python}
    import json, os, sys
    if len(sys.argv) > 1 and sys.argv[1] == "-c":
        print({version!r})
        sys.exit(0)
    env = {{k: os.environ.get(k) for k in ("CUDA_VISIBLE_DEVICES", "DEVICE_ID", "RANK_SIZE", "RANK_ID")}}
    with open(os.environ["FAKE_RECORD"], "w") as f:
        json.dump({{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": env}}, f)
    print("fake job output")
    sys.exit(int(os.environ.get("FAKE_EXIT", "0")))
    """)


@pytest.fixture
def repo(tmp_path):
    """A repository root holding a copy of scripts/, plus inputs next to it."""
    root = tmp_path / "repo"
    shutil.copytree(SCRIPTS, root / "scripts")
    data = tmp_path / "data"
    (data / "aclImdb").mkdir(parents=True)
    (data / "glove").mkdir()
    (data / "glove" / "glove.6B.50d.txt").write_text("the 0.1 0.2\n")
    (data / "preprocess").mkdir()
    (data / "lstm.ckpt").write_bytes(b"ckpt")
    (tmp_path / "elsewhere").mkdir()
    fake = tmp_path / "fake_python"
    fake.write_text(FAKE_PYTHON.format(python=sys.executable, version=FAKE_VERSION))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return root


def good_value(name, tmp_path):
    """Relative to tmp_path/elsewhere, the cwd the launchers are started from."""
    return {"DEVICE_ID": "3", "ACLIMDB_DIR": "../data/aclImdb", "GLOVE_DIR": "../data/glove",
            "PREPROCESS_DIR": "../data/preprocess", "CKPT_FILE": "../data/lstm.ckpt"}[name]


def absolute(name, tmp_path):
    return {"ACLIMDB_DIR": tmp_path / "data" / "aclImdb", "GLOVE_DIR": tmp_path / "data" / "glove",
            "PREPROCESS_DIR": tmp_path / "data" / "preprocess",
            "CKPT_FILE": tmp_path / "data" / "lstm.ckpt"}[name]


def run(repo_root, script, args, foreground=True, fake_exit=0, extra_env=None):
    tmp_path = repo_root.parent
    env = dict(os.environ, PYTHON=str(tmp_path / "fake_python"), FAKE_RECORD=str(tmp_path / "record.json"),
               FAKE_EXIT=str(fake_exit))
    env.pop("RUN_FOREGROUND", None)
    if foreground:
        env["RUN_FOREGROUND"] = "1"
    env.update(extra_env or {})
    # started through its own path to check the executable bit and shebang too
    return subprocess.run([str(repo_root / "scripts" / script), *args], cwd=tmp_path / "elsewhere",
                          env=env, capture_output=True, text=True, timeout=60)


def record(repo_root):
    return json.loads((repo_root.parent / "record.json").read_text())


def flags_of(argv):
    out = {}
    for a in argv:
        assert a.startswith("--") and "=" in a, a
        key, value = a[2:].split("=", 1)
        out[key] = value
    return out


@pytest.mark.parametrize("script", LAUNCHERS)
def test_launchers_are_executable(script):
    assert os.access(SCRIPTS / script, os.X_OK)


@pytest.mark.parametrize("script", LAUNCHERS)
def test_too_few_arguments_print_usage_and_exit_2(repo, script):
    names = LAUNCHERS[script][0]
    for n in range(len(names)):
        args = [good_value(a, repo.parent) for a in names[:n]]
        res = run(repo, script, args)
        assert res.returncode == 2, (n, res.stderr)
        assert res.stderr.startswith("usage: ")
        assert script in res.stderr and " ".join(names) in res.stderr
        assert res.stdout == ""
    assert not (repo.parent / "record.json").exists()


@pytest.mark.parametrize("script", LAUNCHERS)
def test_extra_positional_argument_is_a_usage_error(repo, script):
    args = [good_value(a, repo.parent) for a in LAUNCHERS[script][0]] + ["stray"]
    res = run(repo, script, args)
    assert res.returncode == 2
    assert res.stderr.startswith("usage: ")
    assert not (repo.parent / "record.json").exists()


def test_help_prints_usage_on_stdout(repo):
    res = run(repo, "run_eval_gpu.sh", ["--help"])
    assert res.returncode == 0
    assert "DEVICE_ID ACLIMDB_DIR GLOVE_DIR CKPT_FILE" in res.stdout
    assert res.stderr == ""


@pytest.mark.parametrize("script", [s for s, spec in LAUNCHERS.items() if "DEVICE_ID" in spec[0]])
@pytest.mark.parametrize("bad", ["x", "-1", "1.5", "", "0x1"])
def test_bad_device_id(repo, script, bad):
    args = [good_value(a, repo.parent) for a in LAUNCHERS[script][0]]
    args[0] = bad
    res = run(repo, script, args)
    assert res.returncode == 2
    assert res.stderr == f"error: DEVICE_ID must be a non-negative integer, got '{bad}'\n"
    assert not (repo.parent / "record.json").exists()


MISSING_CASES = [(script, name) for script, spec in LAUNCHERS.items() for name in spec[0] if name != "DEVICE_ID"]


@pytest.mark.parametrize("script,name", MISSING_CASES)
def test_missing_path_is_named(repo, script, name):
    names = LAUNCHERS[script][0]
    args = [good_value(a, repo.parent) for a in names]
    args[names.index(name)] = "../data/nothing_here"
    res = run(repo, script, args)
    assert res.returncode == 2
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"error: {name} '../data/nothing_here' ")
    assert not (repo.parent / "record.json").exists()


@pytest.mark.parametrize("script", [s for s, spec in LAUNCHERS.items() if "CKPT_FILE" in spec[0]])
def test_checkpoint_must_be_a_file(repo, script):
    names = LAUNCHERS[script][0]
    args = [good_value(a, repo.parent) for a in names]
    args[names.index("CKPT_FILE")] = "../data/preprocess"
    res = run(repo, script, args)
    assert res.returncode == 2
    assert res.stderr == "error: CKPT_FILE '../data/preprocess' is not an existing file\n"


@pytest.mark.parametrize("script", [s for s, spec in LAUNCHERS.items() if "ACLIMDB_DIR" in spec[0]])
def test_aclimdb_must_be_a_directory(repo, script):
    names = LAUNCHERS[script][0]
    args = [good_value(a, repo.parent) for a in names]
    args[names.index("ACLIMDB_DIR")] = "../data/lstm.ckpt"
    res = run(repo, script, args)
    assert res.returncode == 2
    assert res.stderr == "error: ACLIMDB_DIR '../data/lstm.ckpt' is not an existing directory\n"


@pytest.mark.parametrize("script", LAUNCHERS)
def test_foreground_run_from_another_directory(repo, script):
    names, entry, log, expected = LAUNCHERS[script]
    tmp_path = repo.parent
    args = [good_value(a, tmp_path) for a in names]
    res = run(repo, script, args + ["--num_epochs=1", "--batch_size=8"])
    assert res.returncode == 0, res.stderr
    assert "fake job output" in res.stdout

    rec = record(repo)
    assert rec["argv"][0] == str(repo / entry)
    assert rec["cwd"] == str(repo)
    # extra options come last, so they override the launcher's own
    assert rec["argv"][-2:] == ["--num_epochs=1", "--batch_size=8"]
    flags = flags_of(rec["argv"][1:-2])
    want = {}
    for key, value in expected.items():
        if value == "DEVICE_ID":
            want[key] = "3"
        elif value in names:
            want[key] = str(absolute(value, tmp_path))
        else:
            want[key] = value.format(root=repo)
    assert flags == want
    for key in ("config_path", "aclimdb_path", "glove_path", "preprocess_path", "ckpt_path", "ckpt_file"):
        if key in flags:
            assert os.path.isabs(flags[key]), key

    if "gpu" in script:
        assert rec["env"]["CUDA_VISIBLE_DEVICES"] == "3"
        assert rec["env"]["DEVICE_ID"] == "0"
    if "ascend" in script:
        assert rec["env"]["DEVICE_ID"] == "3"
    assert rec["env"]["RANK_SIZE"] == "1" and rec["env"]["RANK_ID"] == "0"

    lines = (repo / log).read_text().splitlines()
    assert lines[0] == FAKE_VERSION
    assert lines[1].startswith("command: cd ")
    assert str(repo / entry) in lines[1] and "--num_epochs=1" in lines[1]
    assert "fake job output" in lines[2:]


def test_glove_may_be_a_file(repo):
    res = run(repo, "run_train_cpu.sh", ["../data/aclImdb", "../data/glove/glove.6B.50d.txt"])
    assert res.returncode == 0, res.stderr
    flags = flags_of(record(repo)["argv"][1:])
    assert flags["glove_path"] == str(repo.parent / "data" / "glove" / "glove.6B.50d.txt")


def test_paths_with_spaces_survive(repo):
    odd = repo.parent / "my data"
    shutil.copytree(repo.parent / "data", odd)
    res = run(repo, "run_eval_cpu.sh", ["../my data/aclImdb", "../my data/glove", "../my data/lstm.ckpt"])
    assert res.returncode == 0, res.stderr
    flags = flags_of(record(repo)["argv"][1:])
    assert flags["ckpt_file"] == str(odd / "lstm.ckpt")
    assert flags["aclimdb_path"] == str(odd / "aclImdb")


def test_failing_job_fails_the_launcher_in_the_foreground(repo):
    res = run(repo, "run_train_cpu.sh", ["../data/aclImdb", "../data/glove"], fake_exit=3)
    assert res.returncode == 3
    assert "fake job output" in (repo / "train_cpu.log").read_text()


def test_background_run_returns_at_once_and_logs(repo):
    res = run(repo, "run_eval_ascend.sh", ["5", "../data/preprocess", "../data/lstm.ckpt"], foreground=False,
              fake_exit=4)
    log = repo / "eval_ascend.log"
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"Ascend evaluation started in the background, log: {log}\n"
    deadline = time.time() + 30
    while "fake job output" not in log.read_text():
        assert time.time() < deadline, log.read_text()
        time.sleep(0.1)
    flags = flags_of(record(repo)["argv"][1:])
    assert flags["device_id"] == "5"
    assert log.read_text().splitlines()[0] == FAKE_VERSION


def log_header(python, cwd):
    return subprocess.run(
        ["bash", "-c", 'set -euo pipefail; PYTHON=$1; source "$2"; log_header echo "a b"',
         "_", python, str(SCRIPTS / "common.sh")],
        capture_output=True, text=True, check=True, cwd=cwd).stdout.splitlines()


def test_log_header_with_the_real_interpreter(tmp_path):
    header = log_header(sys.executable, tmp_path)
    assert header[0].startswith(f"python {sys.version.split()[0]} | mindspore ")
    assert "| numpy " in header[0]
    assert header[1] == f"command: cd {tmp_path} && echo a\\ b"


def test_log_header_survives_a_broken_interpreter(tmp_path):
    # the job then fails on its own and its log shows why; the header must not stop the launch
    header = log_header("false", tmp_path)
    assert header[0] == "version probe failed: false"
    assert header[1].startswith("command: ")


def test_abs_path(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.txt").write_text("")

    def abs_path(p):
        return subprocess.run(["bash", "-c", 'source "$1"; abs_path "$2"', "_", str(SCRIPTS / "common.sh"), p],
                              cwd=tmp_path / "d", capture_output=True, text=True, check=True).stdout.strip()

    assert abs_path(".") == str(tmp_path / "d")
    assert abs_path("..") == str(tmp_path)
    assert abs_path("f.txt") == str(tmp_path / "d" / "f.txt")
    assert abs_path("../d/f.txt") == str(tmp_path / "d" / "f.txt")
    assert abs_path("./new/out") == str(tmp_path / "d" / "new" / "out")
    assert abs_path("/x/y") == "/x/y"
