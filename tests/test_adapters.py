"""Environment parsing of the adapters and the ModelArts copy logic, off-cloud.

moxing is replaced by a stand-in package written into tmp_path whose copy_parallel
copies local folders, so the sync and wrapper logic runs against real files.
"""
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from src.model_utils import device_adapter, local_adapter, moxing_adapter
from src.model_utils.config import Config

REPO = Path(__file__).resolve().parents[1]
MISSING = "enable_modelarts is true but the moxing package is not installed (it exists only on ModelArts)"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("DEVICE_ID", "RANK_SIZE", "RANK_ID", "JOB_ID"):
        monkeypatch.delenv(name, raising=False)


# --- local_adapter -----------------------------------------------------------------

def test_local_defaults():
    assert local_adapter.get_device_id() == 0
    assert local_adapter.get_device_num() == 1
    assert local_adapter.get_rank_id() == 0
    assert local_adapter.get_job_id() == "Local Job"


def test_local_values(monkeypatch):
    monkeypatch.setenv("DEVICE_ID", "5")
    monkeypatch.setenv("RANK_SIZE", " 8 ")
    monkeypatch.setenv("RANK_ID", "7")
    assert local_adapter.get_device_id() == 5
    assert local_adapter.get_device_num() == 8
    assert local_adapter.get_rank_id() == 7


def test_blank_value_means_unset(monkeypatch):
    monkeypatch.setenv("DEVICE_ID", "")
    monkeypatch.setenv("RANK_SIZE", "  ")
    assert local_adapter.get_device_id() == 0
    assert local_adapter.get_device_num() == 1


@pytest.mark.parametrize("name,getter", [("DEVICE_ID", local_adapter.get_device_id),
                                         ("RANK_ID", local_adapter.get_rank_id)])
@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "+3", "1_0", "0x1", "\u0663"])
def test_bad_non_negative_values(monkeypatch, name, getter, bad):
    monkeypatch.setenv(name, bad)
    with pytest.raises(ValueError) as err:
        getter()
    assert str(err.value) == f"environment variable {name} must be a non-negative integer, got {bad!r}"


@pytest.mark.parametrize("bad", ["0", "-2", "eight"])
def test_bad_rank_size(monkeypatch, bad):
    monkeypatch.setenv("RANK_SIZE", bad)
    with pytest.raises(ValueError) as err:
        local_adapter.get_device_num()
    assert str(err.value) == f"environment variable RANK_SIZE must be an integer >= 1, got {bad!r}"


@pytest.mark.parametrize("rank_id", ["4", "9"])
def test_rank_id_must_be_below_rank_size(monkeypatch, rank_id):
    monkeypatch.setenv("RANK_SIZE", "4")
    monkeypatch.setenv("RANK_ID", rank_id)
    with pytest.raises(ValueError) as err:
        local_adapter.get_rank_id()
    assert str(err.value) == f"environment variable RANK_ID must be less than RANK_SIZE (4), got '{rank_id}'"


def test_rank_id_without_rank_size_is_an_error(monkeypatch):
    monkeypatch.setenv("RANK_ID", "1")
    with pytest.raises(ValueError, match=r"RANK_ID must be less than RANK_SIZE \(1\), got '1'"):
        local_adapter.get_rank_id()


# --- device_adapter ----------------------------------------------------------------

def test_device_adapter_local(monkeypatch):
    cfg = Config({"enable_modelarts": False})
    monkeypatch.setenv("DEVICE_ID", "2")
    monkeypatch.setenv("RANK_SIZE", "4")
    monkeypatch.setenv("RANK_ID", "3")
    monkeypatch.setenv("JOB_ID", "job-7")
    assert device_adapter.get_device_id(cfg) == 2
    assert device_adapter.get_device_num(cfg) == 4
    assert device_adapter.get_rank_id(cfg) == 3
    assert device_adapter.get_job_id(cfg) == "Local Job"


def test_device_adapter_modelarts(monkeypatch):
    cfg = Config({"enable_modelarts": True})
    assert device_adapter.get_job_id(cfg) == "default"
    monkeypatch.setenv("JOB_ID", "job-7")
    monkeypatch.setenv("DEVICE_ID", "6")
    monkeypatch.setenv("RANK_SIZE", "16")
    monkeypatch.setenv("RANK_ID", "9")
    assert device_adapter.get_job_id(cfg) == "job-7"
    assert device_adapter.get_device_id(cfg) == 6
    assert device_adapter.get_device_num(cfg) == 16
    assert device_adapter.get_rank_id(cfg) == 9


def test_device_adapter_modelarts_validates_too(monkeypatch):
    monkeypatch.setenv("RANK_ID", "x")
    with pytest.raises(ValueError, match="environment variable RANK_ID must be a non-negative integer, got 'x'"):
        device_adapter.get_rank_id(Config({"enable_modelarts": True}))


def test_importing_the_adapters_does_not_import_moxing():
    code = ("import sys; import src.model_utils.device_adapter, src.model_utils.moxing_adapter; "
            "print('moxing' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- moxing_adapter with a stand-in moxing -----------------------------------------

STAND_IN = {
    "moxing/__init__.py": "from . import file\n",
    "moxing/file.py": textwrap.dedent("""\
        import shutil
        import threading

        calls = []
        _lock = threading.Lock()

        def copy_parallel(src_url, dst_url):
            with _lock:
                calls.append((src_url, dst_url))
            shutil.copytree(src_url, dst_url, dirs_exist_ok=True)
        """),
}


def _forget_moxing():
    for name in [n for n in sys.modules if n == "moxing" or n.startswith("moxing.")]:
        del sys.modules[name]


@pytest.fixture
def mox(tmp_path, monkeypatch):
    """The stand-in moxing, importable; locks in tmp_path; a job id of our own."""
    site = tmp_path / "site"
    for rel, text in STAND_IN.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    _forget_moxing()
    monkeypatch.syspath_prepend(str(site))
    locks = tmp_path / "locks"
    locks.mkdir()
    monkeypatch.setattr(moxing_adapter, "LOCK_DIR", str(locks))
    monkeypatch.setenv("JOB_ID", "test-job")
    import moxing  # pylint: disable=import-outside-toplevel
    yield moxing
    _forget_moxing()


@pytest.fixture
def no_moxing(monkeypatch):
    # None in sys.modules makes `import moxing` fail as if it were not installed
    monkeypatch.setitem(sys.modules, "moxing", None)


def make_tree(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_lock_path_is_per_destination_and_job(monkeypatch, tmp_path):
    monkeypatch.setattr(moxing_adapter, "LOCK_DIR", str(tmp_path))
    monkeypatch.setenv("JOB_ID", "a/b c")
    a = moxing_adapter.lock_path("/cache/data")
    assert Path(a).parent == tmp_path
    assert Path(a).name.startswith("copy_sync_a_b_c_") and a.endswith(".lock")
    assert moxing_adapter.lock_path("/cache/data/") == a
    assert moxing_adapter.lock_path("/cache/checkpoint_path") != a
    monkeypatch.setenv("JOB_ID", "other")
    assert moxing_adapter.lock_path("/cache/data") != a


def test_copier_copies_and_writes_the_lock(mox, tmp_path):
    src = make_tree(tmp_path / "obs" / "data", {"a.txt": "A", "sub/b.txt": "B"})
    dst = tmp_path / "cache" / "data"
    moxing_adapter.sync_data(str(src), str(dst), rank_id=0, device_num=1)
    assert (dst / "a.txt").read_text() == "A" and (dst / "sub" / "b.txt").read_text() == "B"
    assert mox.file.calls == [(str(src), str(dst))]
    assert Path(moxing_adapter.lock_path(str(dst))).read_text() == "ok\n"


def test_copier_replaces_a_stale_lock(mox, tmp_path):
    src = make_tree(tmp_path / "obs", {"a.txt": "A"})
    dst = tmp_path / "cache"
    lock = Path(moxing_adapter.lock_path(str(dst)))
    lock.write_text("error: from an earlier run\n")
    moxing_adapter.sync_data(str(src), str(dst), rank_id=0, device_num=1)
    assert lock.read_text() == "ok\n"


def test_non_copier_waits_for_the_copier(mox, tmp_path):
    src = make_tree(tmp_path / "obs", {"a.txt": "A"})
    dst = tmp_path / "cache"
    outcome = {}

    def waiter():
        try:
            moxing_adapter.sync_data(str(src), str(dst), rank_id=3, device_num=8, timeout=30, poll_interval=0.02)
            outcome["done_at"] = time.monotonic()
            outcome["saw_data"] = (dst / "a.txt").exists()
        except Exception as e:  # reported by the main thread
            outcome["error"] = e

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.4)
    assert thread.is_alive(), outcome
    assert mox.file.calls == []  # rank 3 never copies
    copied_at = time.monotonic()
    moxing_adapter.sync_data(str(src), str(dst), rank_id=0, device_num=8)
    thread.join(10)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome
    assert outcome["saw_data"] and outcome["done_at"] >= copied_at
    assert mox.file.calls == [(str(src), str(dst))]


@pytest.mark.parametrize("rank_id,device_num,copies", [(0, 8, True), (7, 8, False), (8, 16, True),
                                                       (9, 16, False), (2, 4, False), (3, 4, False)])
def test_one_copier_per_server(mox, tmp_path, rank_id, device_num, copies):
    src = make_tree(tmp_path / "obs", {"a.txt": "A"})
    dst = tmp_path / "cache"
    if not copies:
        # the waiter returns once its server's copier has finished
        Path(moxing_adapter.lock_path(str(dst))).write_text("ok\n")
    moxing_adapter.sync_data(str(src), str(dst), rank_id, device_num, timeout=2, poll_interval=0.01)
    assert (mox.file.calls == [(str(src), str(dst))]) is copies


def test_waiter_times_out_with_a_clear_error(mox, tmp_path):
    dst = tmp_path / "cache"
    start = time.monotonic()
    with pytest.raises(TimeoutError) as err:
        moxing_adapter.sync_data("obs://bucket/data", str(dst), rank_id=10, device_num=16, timeout=0.3,
                                 poll_interval=0.05)
    assert 0.3 <= time.monotonic() - start < 5
    msg = str(err.value)
    assert "rank 10: waited 0.3 s for rank 8 to copy obs://bucket/data -> " in msg
    assert moxing_adapter.lock_path(str(dst)) in msg


def test_failed_copy_stops_the_waiters_at_once(mox, tmp_path):
    dst = tmp_path / "cache"
    with pytest.raises(FileNotFoundError):
        moxing_adapter.sync_data(str(tmp_path / "missing"), str(dst), rank_id=0, device_num=2)
    start = time.monotonic()
    with pytest.raises(RuntimeError) as err:
        moxing_adapter.sync_data(str(tmp_path / "missing"), str(dst), rank_id=1, device_num=2, timeout=30)
    assert time.monotonic() - start < 5
    assert "rank 1: rank 0 failed to copy" in str(err.value)
    assert "FileNotFoundError" in str(err.value)


@pytest.mark.parametrize("rank_id,device_num", [(0, 0), (-1, 8), (8, 8)])
def test_sync_rejects_bad_ranks(mox, tmp_path, rank_id, device_num):
    with pytest.raises(ValueError):
        moxing_adapter.sync_data(str(tmp_path), str(tmp_path / "x"), rank_id, device_num)


def modelarts_config(tmp_path, **overrides):
    values = {
        "enable_modelarts": True,
        "data_url": str(make_tree(tmp_path / "obs" / "data", {"train.mindrecord": "records"})),
        "checkpoint_url": str(make_tree(tmp_path / "obs" / "ckpt", {"lstm.ckpt": "weights"})),
        "train_url": str(tmp_path / "obs" / "out"),
        "data_path": str(tmp_path / "cache" / "data"),
        "load_path": str(tmp_path / "cache" / "checkpoint_path"),
        "output_path": str(tmp_path / "cache" / "train"),
    }
    values.update(overrides)
    return Config(values)


def test_wrapper_syncs_in_then_runs_then_syncs_out(mox, tmp_path):
    cfg = modelarts_config(tmp_path)
    events = []

    def train(epochs, tag=None):
        # inputs are in place and the outputs not yet uploaded while the job runs
        assert (Path(cfg.data_path) / "train.mindrecord").read_text() == "records"
        assert (Path(cfg.load_path) / "lstm.ckpt").read_text() == "weights"
        assert Path(cfg.output_path).is_dir()
        assert not Path(cfg.train_url).exists()
        (Path(cfg.output_path) / "result.txt").write_text(f"{epochs} {tag}")
        events.append("train")
        return "finished"

    wrapped = moxing_adapter.moxing_wrapper(cfg, pre_process=lambda: events.append("pre"),
                                            post_process=lambda: events.append("post"))(train)
    assert wrapped.__name__ == "train"
    assert wrapped(3, tag="x") == "finished"
    assert events == ["pre", "train", "post"]
    assert (Path(cfg.train_url) / "result.txt").read_text() == "3 x"
    assert mox.file.calls == [(cfg.data_url, cfg.data_path), (cfg.checkpoint_url, cfg.load_path),
                              (cfg.output_path, cfg.train_url)]


def test_wrapper_skips_unset_urls(mox, tmp_path):
    cfg = modelarts_config(tmp_path, checkpoint_url="", train_url="")
    ran = []
    moxing_adapter.moxing_wrapper(cfg)(lambda: ran.append(1))()
    assert ran == [1]
    assert mox.file.calls == [(cfg.data_url, cfg.data_path)]
    assert Path(cfg.output_path).is_dir()
    assert not Path(cfg.load_path).exists()


def test_wrapper_uploads_nothing_when_the_job_fails(mox, tmp_path):
    cfg = modelarts_config(tmp_path)

    def broken():
        raise ValueError("diverged")

    with pytest.raises(ValueError, match="diverged"):
        moxing_adapter.moxing_wrapper(cfg)(broken)()
    assert (cfg.output_path, cfg.train_url) not in mox.file.calls


def test_wrapper_disabled_just_calls(no_moxing, tmp_path):
    cfg = modelarts_config(tmp_path, enable_modelarts=False)
    hooks = []
    wrapped = moxing_adapter.moxing_wrapper(cfg, pre_process=lambda: hooks.append("pre"),
                                            post_process=lambda: hooks.append("post"))(lambda x: x * 2)
    assert wrapped(21) == 42
    assert hooks == []
    assert not Path(cfg.data_path).exists()
    assert not Path(cfg.output_path).exists()


def test_wrapper_without_moxing_fails_before_running(no_moxing, tmp_path):
    cfg = modelarts_config(tmp_path)
    ran = []
    wrapped = moxing_adapter.moxing_wrapper(cfg, pre_process=lambda: ran.append("pre"))(lambda: ran.append(1))
    with pytest.raises(RuntimeError) as err:
        wrapped()
    assert str(err.value) == MISSING
    assert ran == []
    assert not Path(cfg.data_path).exists()


def test_sync_without_moxing(no_moxing, tmp_path):
    with pytest.raises(RuntimeError, match="moxing package is not installed"):
        moxing_adapter.sync_data(str(tmp_path), str(tmp_path / "x"), rank_id=0, device_num=1)


def test_msrun_scheduler_does_not_sync(mox, tmp_path, monkeypatch):
    # msrun starts the script once more as its scheduler, with RANK_ID=0
    cfg = modelarts_config(tmp_path)
    monkeypatch.setenv("MS_ROLE", "MS_SCHED")
    monkeypatch.setenv("RANK_ID", "0")
    ran = []
    moxing_adapter.moxing_wrapper(cfg)(lambda: ran.append(1))()
    assert ran == [1] and mox.file.calls == []
    assert not Path(cfg.data_path).exists()


def test_train_without_moxing_is_a_one_line_error(tmp_path):
    import os
    res = subprocess.run([sys.executable, str(REPO / "train.py"), "--enable_modelarts", "true",
                          "--ckpt_path", str(tmp_path / "ckpt"), "--preprocess", "false",
                          "--preprocess_path", str(tmp_path / "pre")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in os.environ.items() if k != "LSTM_DEBUG"})
    assert res.returncode == 1
    assert res.stderr.splitlines() == [f"error: {MISSING} (set LSTM_DEBUG=1 or pass --debug for a traceback)"]
    assert not (tmp_path / "ckpt").exists()
