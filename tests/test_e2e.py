"""preprocess -> train -> eval on the synthetic corpus, through the entry scripts."""
import json
import os

import pytest

from tests.conftest import ROOT, run_script

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e")
    paths = ["--config_path", os.path.join(ROOT, "config_demo.yaml"),
             "--aclimdb_path", demo["aclimdb"], "--glove_path", os.path.dirname(demo["glove"]),
             "--preprocess_path", str(out / "pre"), "--ckpt_path", str(out / "ckpt")]
    result = run_script("train.py", paths + ["--preprocess", "true", "--num_epochs", "4"])
    return {"out": out, "paths": paths, "train": result}


def test_train_outputs(trained):
    res = trained["train"]
    assert res.returncode == 0, res.stderr
    ckpt = trained["out"] / "ckpt"
    for name in ("lstm_best_acc.ckpt", "lstm_last.ckpt", "history.json", "config.yaml", "curves.png"):
        assert (ckpt / name).is_file(), name
    assert [n for n in os.listdir(ckpt) if n.startswith("lstm-") and n.endswith(".ckpt")]
    assert "epoch: 4 step: " in res.stdout and ", loss is " in res.stdout
    hist = json.loads((ckpt / "history.json").read_text())
    losses = [e["loss"] for e in hist["epochs"]]
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert hist["best_acc"] >= 0.85
    assert all(e["eval"]["split"] == "valid" and e["eval"]["num_reviews"] == 100 for e in hist["epochs"])
    assert all(e["train_seconds"] > 0 and e["samples_per_s"] > 0 and e["lr"] > 0 for e in hist["epochs"])
    assert_png(ckpt / "curves.png", min_size=(300, 200))
    assert "best epoch: " in res.stdout and "peak memory: " in res.stdout


def assert_png(path, min_size):
    from PIL import Image
    with Image.open(path) as im:
        im.load()
        assert im.format == "PNG"
        assert im.size[0] >= min_size[0] and im.size[1] >= min_size[1]
        # a drawn figure, not a blank canvas
        assert len(im.convert("L").getcolors(1 << 16)) > 10


def test_eval_scores_whole_test_split(trained):
    metrics_file = trained["out"] / "m.json"
    res = run_script("eval.py", trained["paths"] + [
        "--ckpt_file", str(trained["out"] / "ckpt" / "lstm_best_acc.ckpt"), "--metrics_file", str(metrics_file)])
    assert res.returncode == 0, res.stderr
    m = json.loads(metrics_file.read_text())
    assert m["num_reviews"] == 400 and m["acc"] >= 0.85
    assert sum(map(sum, m["confusion_matrix"])) == 400
    assert f"'acc': {round(m['acc'], 6)}" in res.stdout
    for key in ("precision", "recall", "f1"):
        assert 0.8 <= m[key] <= 1.0
    assert m["split"] == "test"
    assert_png(trained["out"] / "m.png", min_size=(250, 200))


def test_eval_refuses_other_network_shape(trained):
    res = run_script("eval.py", trained["paths"] + [
        "--ckpt_file", str(trained["out"] / "ckpt" / "lstm_best_acc.ckpt"), "--num_hiddens", "50"])
    assert res.returncode == 1
    assert "has num_hiddens=100 but the config has num_hiddens=50" in res.stderr
    assert "Traceback" not in res.stderr


def test_pre_trained_start(trained, tmp_path):
    res = run_script("train.py", trained["paths"] + [
        "--pre_trained", str(trained["out"] / "ckpt" / "lstm_best_acc.ckpt"), "--num_epochs", "1",
        "--ckpt_path", str(tmp_path / "ck2")])
    assert res.returncode == 0, res.stderr
    assert "loaded pre-trained weights" in res.stdout
    hist = json.loads((tmp_path / "ck2" / "history.json").read_text())
    assert hist["epochs"][0]["eval"]["acc"] >= 0.85


def test_profiling_writes_a_trace(trained, tmp_path):
    ck = tmp_path / "ck_prof"
    res = run_script("train.py", trained["paths"] + [
        "--enable_profiling", "true", "--num_epochs", "1", "--run_eval", "false", "--ckpt_path", str(ck)])
    assert res.returncode == 0, res.stderr
    prof = ck / "profile"
    assert f"profiling: trace of steps 2-6 written to {prof}" in res.stdout
    written = [os.path.join(d, n) for d, _, names in os.walk(prof) for n in names]
    assert written and sum(os.path.getsize(p) for p in written) > 1000
    assert (ck / "lstm_last.ckpt").is_file()
