"""export.py (MINDIR / ONNX / AIR) and inference on exported models (preprocess -> infer -> postprocess)."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT, run_script


def padded_batch(rng, n, vocab_size, max_len):
    """n random reviews, 0-padded to max_len, with lengths from 1 to max_len (both ends included)."""
    lengths = rng.randint(1, max_len + 1, n).astype(np.int32)
    lengths[:2] = [max_len, 1][:n]
    ids = np.zeros((n, max_len), np.int32)
    for i, k in enumerate(lengths):
        ids[i, :k] = rng.randint(2, vocab_size, k)
    return ids, lengths


@pytest.fixture(scope="module")
def reference(trained_demo):
    """The checkpoint's network in this process (the logits exported models must reproduce)."""
    from src.dataset import load_meta
    from src.inference import CheckpointModel, init_device
    init_device("CPU")
    meta = load_meta(trained_demo["pre"])
    return CheckpointModel(trained_demo["ckpt"], meta), meta


def export(trained_demo, out, fmt, *extra):
    # no aclImdb or GloVe: the preprocess folder is all export needs
    res = run_script("export.py", trained_demo["args"] + [
        "--ckpt_file", trained_demo["ckpt"], "--file_name", str(out), "--file_format", fmt,
        "--aclimdb_path", "/nonexistent/aclImdb", "--glove_path", "/nonexistent/glove", "--preprocess", "true",
        *extra])
    assert res.returncode == 0, res.stderr
    return res


@pytest.mark.slow
def test_mindir_runs_any_batch_with_the_checkpoint_logits(trained_demo, reference, tmp_path):
    import mindspore as ms
    from mindspore import Tensor, nn
    model, meta = reference
    res = export(trained_demo, tmp_path / "lstm", "MINDIR")
    path = tmp_path / "lstm.mindir"
    assert f"exported MINDIR to {path}" in res.stdout
    assert "ids int32 [None (dynamic), 80]" in res.stdout
    side = json.loads((tmp_path / "lstm.mindir.json").read_text())
    assert side["vocab_hash"] == meta["vocab_hash"] and side["max_len"] == 80 and side["batch_size"] is None
    assert side["inputs"][0] == {"name": "ids", "dtype": "int32", "shape": [None, 80]}
    assert side["ckpt_file"] == trained_demo["ckpt"] and side["num_hiddens"] == 32
    graph = nn.GraphCell(ms.load(str(path)))
    rng = np.random.RandomState(0)
    for n in (1, 7, 64):
        ids, lengths = padded_batch(rng, n, meta["vocab_size"], 80)
        got = graph(Tensor(ids), Tensor(lengths)).asnumpy()
        assert got.shape == (n, 2)
        np.testing.assert_allclose(got, model(ids, lengths), rtol=0, atol=1e-5)


@pytest.mark.slow
def test_onnx_matches_the_checkpoint_in_onnxruntime(trained_demo, reference, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    from src.infer_io import run_fixed_batch
    model, meta = reference
    res = export(trained_demo, tmp_path / "m.onnx", "ONNX", "--export_batch_size", "4")
    assert "ids int32 [4, 80], lengths int32 [4]" in res.stdout
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    assert [(i.name, i.shape) for i in session.get_inputs()] == [("ids", [4, 80]), ("lengths", [4])]
    assert json.loads((tmp_path / "m.onnx.json").read_text())["batch_size"] == 4
    rng = np.random.RandomState(1)
    for _ in range(3):
        ids, lengths = padded_batch(rng, 4, meta["vocab_size"], 80)
        got = session.run(None, {"ids": ids, "lengths": lengths})[0]
        np.testing.assert_allclose(got, model(ids, lengths), rtol=0, atol=1e-4)
    # 7 rows through the static batch of 4: chunks, the short one padded
    ids, lengths = padded_batch(rng, 7, meta["vocab_size"], 80)
    got = run_fixed_batch(lambda i, n: session.run(None, {"ids": i, "lengths": n})[0], ids, lengths, 4)
    np.testing.assert_allclose(got, model(ids, lengths), rtol=0, atol=1e-4)


@pytest.mark.parametrize("readout,bidirectional,layers", [("last", True, 1), ("first_last", False, 2),
                                                          ("pool", False, 1)])
def test_onnx_export_of_every_readout(tmp_path, readout, bidirectional, layers):
    """Random weights, no training: every readout and direction exports to ONNX ops that run."""
    ort = pytest.importorskip("onnxruntime")
    from src import exporter
    from src.inference import init_device
    from src.lstm import SentimentNet
    init_device("CPU")
    net = SentimentNet(30, 8, 6, layers, bidirectional, 2, readout=readout)
    path = exporter.export_net(net, str(tmp_path / "r"), "ONNX", 12, batch_size=3)
    assert path == str(tmp_path / "r.onnx") and os.listdir(tmp_path) == ["r.onnx"]
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    ids, lengths = padded_batch(np.random.RandomState(2), 3, 30, 12)
    from mindspore import Tensor
    want = net(Tensor(ids), Tensor(lengths)).asnumpy()
    np.testing.assert_allclose(session.run(None, {"ids": ids, "lengths": lengths})[0], want, rtol=0, atol=1e-5)


def test_air_needs_ascend_in_one_line(tmp_path):
    res = run_script("export.py", ["--ckpt_file", str(tmp_path / "none.ckpt"), "--file_format", "AIR",
                                   "--file_name", str(tmp_path / "x")])
    assert res.returncode == 1
    assert res.stderr.startswith("error: AIR export needs device_target Ascend")
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not os.listdir(tmp_path)


def test_export_errors_name_the_problem(tmp_path):
    res = run_script("export.py", ["--ckpt_file", str(tmp_path / "none.ckpt"), "--file_name", str(tmp_path / "x")])
    assert res.returncode == 1 and "does not exist" in res.stderr and "none.ckpt" in res.stderr
    res = run_script("export.py", ["--file_format", "PB"])
    assert res.returncode == 2 and "--file_format must be one of ['MINDIR', 'AIR', 'ONNX']" in res.stderr
    res = run_script("export.py", ["--export_batch_size", "0"])
    assert res.returncode == 2 and "--export_batch_size must be a positive integer" in res.stderr


# ---------------------------------------------------------------- inference on exported models

def run_shell(script, args, cwd, env=None):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(["bash", os.path.join(ROOT, "scripts", script), *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)


def acc_of(acc_log):
    return float(re.match(r"accuracy: ([0-9.]+) ", acc_log.read_text()).group(1))


@pytest.fixture(scope="module")
def exported(trained_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("exported")
    export(trained_demo, out / "lstm", "MINDIR")
    export(trained_demo, out / "lstm", "ONNX", "--export_batch_size", "16")
    return {"mindir": str(out / "lstm.mindir"), "onnx": str(out / "lstm.onnx")}


@pytest.fixture(scope="module")
def eval_acc(trained_demo, tmp_path_factory):
    metrics = tmp_path_factory.mktemp("eval") / "m.json"
    res = run_script("eval.py", trained_demo["args"] + ["--ckpt_file", trained_demo["ckpt"],
                                                        "--metrics_file", str(metrics)])
    assert res.returncode == 0, res.stderr
    m = json.loads(metrics.read_text())
    assert m["num_reviews"] == 400
    return m["acc"]


@pytest.mark.slow
def test_mindir_inference_on_cpu_scores_like_eval(trained_demo, exported, eval_acc, tmp_path):
    res = run_shell("run_infer_310.sh", [exported["mindir"], trained_demo["pre"], "y", "CPU"], cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    files = sorted(os.listdir(tmp_path / "preprocess_Result" / "00_data"))
    assert len(files) == 7 and files[0] == "lstm_test_bs64_00000.bin"  # default_config batch_size 64
    labels = np.load(tmp_path / "preprocess_Result" / "label_ids.npy")
    assert labels.dtype == np.int32 and labels.shape == (400,) and labels.sum() == 200
    ids = np.fromfile(tmp_path / "preprocess_Result" / "00_data" / files[0], np.int32)
    assert ids.size == 64 * 80
    results = sorted(os.listdir(tmp_path / "result_Files"))
    assert results == [f[:-4] + "_0.bin" for f in files]
    assert np.fromfile(tmp_path / "result_Files" / results[-1], np.float32).size == (400 - 6 * 64) * 2
    assert acc_of(tmp_path / "acc.log") == pytest.approx(eval_acc, abs=1e-6)
    assert "accuracy written to" in res.stdout
    # NEED_PREPROCESS=n reuses the binary files
    os.remove(tmp_path / "acc.log")
    res = run_shell("run_infer_310.sh", [exported["mindir"], trained_demo["pre"], "n", "CPU", "0"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "== preprocess" not in res.stdout
    assert acc_of(tmp_path / "acc.log") == pytest.approx(eval_acc, abs=1e-6)


@pytest.mark.slow
def test_onnx_inference_scores_like_eval(trained_demo, exported, eval_acc, tmp_path):
    pytest.importorskip("onnxruntime")
    res = run_shell("run_infer_onnx.sh", [exported["onnx"], trained_demo["pre"], "y"], cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert acc_of(tmp_path / "acc.log") == pytest.approx(eval_acc, abs=1e-6)


@pytest.mark.slow
def test_inference_refuses_files_of_another_vocabulary(trained_demo, exported, tmp_path):
    res = run_script("preprocess.py", ["--preprocess_path", trained_demo["pre"],
                                       "--result_path", str(tmp_path / "pr")])
    assert res.returncode == 0, res.stderr
    info_path = tmp_path / "pr" / "infer_info.json"
    info = json.loads(info_path.read_text())
    info["vocab_hash"] = "0" * 16
    info_path.write_text(json.dumps(info))
    res = subprocess.run([sys.executable, "-m", "src.infer_mindir", "--mindir_file", exported["mindir"],
                          "--result_path", str(tmp_path / "pr"), "--result_dir", str(tmp_path / "rf")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1
    assert "was exported with vocab_hash=" in res.stderr and "Traceback" not in res.stderr


# ---------------------------------------------------------------- launcher argument checks (fast)

@pytest.fixture
def dummies(tmp_path):
    (tmp_path / "model.mindir").write_bytes(b"x")
    (tmp_path / "pre").mkdir()
    (tmp_path / "work").mkdir()
    return tmp_path


@pytest.mark.parametrize("args,message", [
    (["model.mindir", "pre", "maybe", "CPU"], "error: NEED_PREPROCESS must be y or n, got 'maybe'"),
    (["model.mindir", "pre", "y", "TPU"], "error: DEVICE_TARGET must be one of GPU, CPU, Ascend, got 'TPU'"),
    (["model.mindir", "pre", "y", "CPU", "x1"], "error: DEVICE_ID must be a non-negative integer, got 'x1'"),
    (["none.mindir", "pre", "y", "CPU"], "error: MINDIR_PATH '../none.mindir' is not an existing file"),
    (["model.mindir", "nothing", "y", "CPU"], "error: DATASET_PATH '../nothing' is not an existing directory"),
])
def test_run_infer_310_argument_errors(dummies, args, message):
    args = [f"../{a}" if i < 2 else a for i, a in enumerate(args)]
    res = run_shell("run_infer_310.sh", args, cwd=dummies / "work")
    assert res.returncode == 2
    assert res.stderr == message + "\n"
    assert not os.listdir(dummies / "work")


def test_run_infer_310_usage(dummies):
    res = run_shell("run_infer_310.sh", ["../model.mindir", "../pre"], cwd=dummies / "work")
    assert res.returncode == 2 and res.stderr.startswith("usage: ")
    assert "[MINDIR_PATH] [DATASET_PATH] [NEED_PREPROCESS] [DEVICE_TARGET] [DEVICE_ID]" in res.stderr
    res = run_shell("run_infer_310.sh", ["--help"], cwd=dummies / "work")
    assert res.returncode == 0 and "preprocess folder" in res.stdout


def test_ascend_without_toolkit_is_a_clear_error(dummies):
    for args in (["../model.mindir", "../pre", "y"], ["../model.mindir", "../pre", "y", "Ascend", "1"]):
        res = run_shell("run_infer_310.sh", args, cwd=dummies / "work",
                        env={"ASCEND_HOME": str(dummies / "no_ascend"), "MINDSPORE_PATH": str(dummies)})
        assert res.returncode == 1
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("error: DEVICE_TARGET Ascend builds and runs the C++ app in ascend310_infer/")
        assert "Ascend toolkit" in lines[0] and "include/api/model.h" in lines[0]
        assert "run the MINDIR on CPU" in lines[0]
        assert not os.listdir(dummies / "work")


def test_onnx_launcher_without_onnxruntime(dummies):
    (dummies / "model.onnx").write_bytes(b"x")
    shadow = dummies / "shadow"
    shadow.mkdir()
    (shadow / "onnxruntime.py").write_text("raise ImportError('no onnxruntime here')\n")
    env = {"PYTHONPATH": str(shadow)}
    res = run_shell("run_infer_onnx.sh", ["../model.onnx", "../pre", "y"], cwd=dummies / "work", env=env)
    assert res.returncode == 1
    assert res.stderr.startswith("error: onnxruntime is not installed") and "pip install onnxruntime" in res.stderr
    res = subprocess.run([sys.executable, "-m", "src.infer_onnx", "--onnx_file", str(dummies / "model.onnx")],
                         cwd=ROOT, env=dict(os.environ, PYTHONPATH=f"{shadow}:{ROOT}"), capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 1
    assert res.stderr.startswith("error: ONNX inference needs onnxruntime, which is not installed")
    res = run_shell("run_infer_onnx.sh", ["../model.onnx", "../pre", "y", "Ascend"], cwd=dummies / "work")
    assert res.returncode == 2 and "DEVICE_TARGET must be CPU or GPU" in res.stderr


def test_postprocess_needs_inference_results(tmp_path):
    res = run_script("postprocess.py", ["--result_path", str(tmp_path / "none"), "--result_dir", str(tmp_path)])
    assert res.returncode == 1
    assert "has no infer_info.json: run preprocess.py first" in res.stderr


def test_ascend_padded_embedding_builds(tmp_path):
    """On Ascend the table is padded 300 -> 304 columns; the network (and so export) must take it."""
    from mindspore import Tensor

    from src.inference import init_device
    from src.lstm import build_net
    from src.model_utils.config import get_config
    from src.pipeline import pad_table
    init_device("CPU")
    cfg = get_config(["--config_path", os.path.join(ROOT, "config_ascend.yaml"), "--num_hiddens", "8",
                      "--num_layers", "1"])
    table = pad_table(cfg, np.zeros((10, cfg.embed_size), np.float32))
    assert table.shape == (10, 304)
    net = build_net(cfg, 10, table)
    out = net(Tensor(np.ones((2, 5), np.int32)), Tensor(np.array([5, 3], np.int32)))
    assert out.shape == (2, 2)
