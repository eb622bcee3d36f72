"""kill -9 during preprocessing and during training, then rerun: real kills of train.py.

Preprocessing: the killed run leaves only a ``<folder>.tmp-<pid>`` temporary (never a
half-written folder under the final name); the rerun deletes it, never reads it, and
writes a folder identical to that of an uninterrupted run.

Training: ``--resume true`` continues after the last finished epoch from lstm_last.ckpt
(the whole train cell: weights, Adam moments and beta powers, global step). The
learning-rate schedule is rebuilt from the config and continues at epoch x steps, the
history keeps every epoch once, and finished epochs are not run again. The weights are
not bit-identical to an uninterrupted run: MindSpore's dataset shuffling restarts from
the seed on resume, so the resumed epochs see the batches in another order (and dropout
masks differ). The loss curves of both runs are compared loosely instead.
"""
import glob
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from src.synthetic import make_demo
from tests.conftest import DEMO_FLAGS, ROOT, run_script

pytestmark = pytest.mark.slow


def _start(args):
    env = dict(os.environ)
    env.pop("LSTM_DEBUG", None)
    return subprocess.Popen([sys.executable, os.path.join(ROOT, "train.py")] + args, cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_when(proc, ready, timeout=300, interval=0.002):
    """SIGKILL ``proc`` as soon as ``ready()`` is true; returns what ready() gave."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = ready()
        if found:
            os.kill(proc.pid, signal.SIGKILL)
            try:
                # EOF on its pipes only once every process holding them is gone: preprocessing
                # workers of the killed run must die with it, not linger forever
                proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                pytest.fail("a worker process of the killed run survived it (its output pipe stayed open)")
            assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
            return found
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the run ended (code {proc.returncode}) before it could be killed:\n{out[-2000:]}{err}")
        time.sleep(interval)
    proc.kill()
    pytest.fail("timed out waiting for the moment to kill")


def _records(path):
    from mindspore.mindrecord import FileReader
    reader = FileReader(path)
    try:
        return [(r["ids"].tolist(), int(r["length"]), int(r["label"])) for r in reader.get_next()]
    finally:
        reader.close()


def _read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A demo corpus of 9,000 reviews: enough that MindRecord writing takes a moment."""
    root = str(tmp_path_factory.mktemp("big"))
    acl, glove = make_demo(root, n_per_class=(3000, 1500))
    return {"acl": acl, "glove": glove, "root": root}


def _pre_args(big, folder, ckpt):
    return ["--aclimdb_path", big["acl"], "--glove_path", big["glove"], "--preprocess_path", folder,
            "--ckpt_path", ckpt, "--preprocess", "true", "--num_epochs", "1", "--run_eval", "false"
            ] + DEMO_FLAGS + ["--valid_size", "100",
                              # a tiny network and big batches: the rerun's one epoch is quick
                              "--num_hiddens", "4", "--num_layers", "1", "--bidirectional", "false",
                              "--batch_size", "512"]


@pytest.mark.parametrize("moment", ["tmp_folder_appears", "train_records_half_written"])
def test_kill_during_preprocessing_then_rerun(big, tmp_path, moment):
    from src import dataset as data_lib
    out = str(tmp_path / "pre")
    pattern = out + ".tmp-*"

    def ready():
        tmps = glob.glob(pattern)
        if moment == "tmp_folder_appears":
            return tmps
        # the train MindRecord file exists and has bytes, but meta.json is not written yet
        for t in tmps:
            rec = os.path.join(t, data_lib.mindrecord_name("train"))
            if os.path.isfile(rec) and os.path.getsize(rec) > 0 and not os.path.exists(
                    os.path.join(t, data_lib.META)):
                return tmps
        return None

    proc = _start(_pre_args(big, out, str(tmp_path / "ck")))
    _kill_when(proc, ready)
    left = glob.glob(pattern)
    assert left, "the killed run should have left its temporary folder"
    assert not os.path.exists(out), "a half-written folder under the final name"
    with pytest.raises(data_lib.PreprocessError):
        data_lib.load_folder(out)  # nothing usable under the final name

    rerun = run_script("train.py", _pre_args(big, out, str(tmp_path / "ck")))
    assert rerun.returncode == 0, rerun.stderr
    assert "left by an interrupted run" in rerun.stdout
    assert not glob.glob(pattern), "stale temporary folder kept"
    assert f"preprocess: wrote {out}" in rerun.stdout

    ref = str(tmp_path / "ref")
    data_lib.preprocess(big["acl"], big["glove"], ref,
                        json.loads(_read(os.path.join(out, "meta.json")))["settings"], workers=2,
                        log=lambda *a: None)
    for name in ("vocab.txt", "embedding.npy", "meta.json"):
        assert _read(os.path.join(out, name), "rb") == _read(os.path.join(ref, name), "rb"), name
    meta = json.loads(_read(os.path.join(out, "meta.json")))
    assert not [k for k in meta if "time" in k or "second" in k]  # nothing run-dependent in it
    for split in data_lib.SPLITS:
        name = data_lib.mindrecord_name(split)
        assert _records(os.path.join(out, name)) == _records(os.path.join(ref, name)), split
    data_lib.load_folder(out)


def _train_args(demo, pre, ckpt, epochs):
    return ["--config_path", os.path.join(ROOT, "config_demo.yaml"),
            "--aclimdb_path", demo["aclimdb"], "--glove_path", demo["glove"],
            "--preprocess_path", pre, "--ckpt_path", ckpt, "--num_epochs", str(epochs),
            "--batch_size", "16", "--lr_adjust_epoch", str(epochs)]


def _history(ckpt):
    return json.loads(_read(os.path.join(ckpt, "history.json")))["epochs"]


def _ckpt_values(path, *names):
    import mindspore as ms
    params = ms.load_checkpoint(path)
    return [np.asarray(params[n].asnumpy()).reshape(-1)[0] for n in names]


def test_kill_during_training_then_resume(demo, tmp_path):
    from src.model_utils.config import get_config
    from src.training import learning_rates
    epochs = 4
    pre, ckpt = str(tmp_path / "pre"), str(tmp_path / "ck")
    last = os.path.join(ckpt, "lstm_last.ckpt")
    args = _train_args(demo, pre, ckpt, epochs)

    proc = _start(args)
    _kill_when(proc, lambda: os.path.isfile(last), interval=0.005)
    (done,) = _ckpt_values(last, "epoch_num")
    done = int(done)
    assert 1 <= done < epochs
    step_at_kill, beta1_at_kill = _ckpt_values(last, "global_step", "beta1_power")
    assert [e["epoch"] for e in _history(ckpt)][:done] == list(range(1, done + 1))

    res = run_script("train.py", args + ["--resume", "true"])
    assert res.returncode == 0, res.stderr
    assert f"resumed from {last} after epoch {done}" in res.stdout
    # finished epochs are not run again
    for e in range(1, done + 1):
        assert f"epoch: {e} step: " not in res.stdout
    assert f"epoch: {done + 1} step: " in res.stdout and f"epoch: {epochs} step: " in res.stdout
    assert "warning: checkpoint's optimizer step" not in res.stdout

    hist = _history(ckpt)
    assert [e["epoch"] for e in hist] == list(range(1, epochs + 1))
    steps = hist[0]["global_step"] // 1
    assert step_at_kill == done * steps
    cfg = get_config(args)
    lr = learning_rates(cfg, steps)
    for e in hist:
        # the optimizer's own step continued from epoch x steps, so the schedule did too
        assert e["global_step"] == e["epoch"] * steps, e
        assert e["lr"] == pytest.approx(float(lr[e["epoch"] * steps - 1]), rel=1e-6), e
    # Adam state came back: the beta powers count every step of all epochs, not just the resumed
    final_step, beta1, beta2 = _ckpt_values(last, "global_step", "beta1_power", "beta2_power")
    assert final_step == epochs * steps
    assert beta1 == pytest.approx(0.9 ** (epochs * steps), rel=1e-3)
    assert beta2 == pytest.approx(0.999 ** (epochs * steps), rel=1e-3)
    assert beta1_at_kill == pytest.approx(0.9 ** (done * steps), rel=1e-3)
    assert not glob.glob(os.path.join(ckpt, "*.tmp-*"))

    # an uninterrupted run of the same config: same schedule, a comparable loss curve
    ref_ckpt = str(tmp_path / "ref")
    ref = run_script("train.py", _train_args(demo, pre, ref_ckpt, epochs))
    assert ref.returncode == 0, ref.stderr
    ref_hist = _history(ref_ckpt)
    assert [e["lr"] for e in ref_hist] == pytest.approx([e["lr"] for e in hist], rel=1e-6)
    assert [e["global_step"] for e in ref_hist] == [e["global_step"] for e in hist]
    losses, ref_losses = [e["loss"] for e in hist], [e["loss"] for e in ref_hist]
    assert losses[-1] < losses[0] and ref_losses[-1] < ref_losses[0]
    assert abs(losses[-1] - ref_losses[-1]) < 0.15, (losses, ref_losses)
    assert hist[-1]["eval"]["acc"] >= 0.8 and ref_hist[-1]["eval"]["acc"] >= 0.8
    print(f"killed after epoch {done} (global_step {step_at_kill}), resumed to epoch {epochs}")
    print("epoch, global_step, lr:", [(e["epoch"], e["global_step"], e["lr"]) for e in hist])
    print("interrupted:", [(e["epoch"], round(e["loss"], 4), e["eval"]["acc"]) for e in hist])
    print("uninterrupted:", [(e["epoch"], round(e["loss"], 4), e["eval"]["acc"]) for e in ref_hist])

    # resuming a finished run trains nothing and leaves the history alone
    again = run_script("train.py", args + ["--resume", "true"])
    assert again.returncode == 0, again.stderr
    assert f"nothing to do: {epochs} of {epochs} epochs are done" in again.stdout
    assert _history(ckpt) == hist
