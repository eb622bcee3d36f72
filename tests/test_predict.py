"""predict.py and src.predictor: raw text -> sentiment, from a checkpoint, a MINDIR or ONNX."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT, run_script

POSITIVE = "A wonderful, brilliant film. Superb acting and a beautiful, moving story: a masterpiece!"
NEGATIVE = "Awful. The plot was boring and dull, the acting terrible; the worst movie, a waste of time."


def predict(trained_demo, *args, stdin=None):
    if stdin is None:
        return run_script("predict.py", ["--preprocess_path", trained_demo["pre"], *args])
    return subprocess.run([sys.executable, os.path.join(ROOT, "predict.py"), "--preprocess_path",
                           trained_demo["pre"], *args], input=stdin, capture_output=True, text=True, timeout=300)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def mindir(trained_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("predict_export")
    for fmt in ("MINDIR", "ONNX"):
        res = run_script("export.py", trained_demo["args"] + ["--ckpt_file", trained_demo["ckpt"],
                                                              "--file_name", str(out / "lstm"), "--file_format", fmt,
                                                              "--export_batch_size", "8"])
        assert res.returncode == 0, res.stderr
    return str(out / "lstm.mindir")


@pytest.fixture(scope="module")
def predictors(trained_demo, mindir):
    from src.predictor import Predictor
    return {"ckpt": Predictor(trained_demo["pre"], ckpt_file=trained_demo["ckpt"], batch_size=16),
            "mindir": Predictor(trained_demo["pre"], mindir_file=mindir, batch_size=16),
            "onnx": Predictor(trained_demo["pre"], onnx_file=mindir[:-len(".mindir")] + ".onnx")}


@pytest.mark.slow
def test_texts_on_the_command_line(trained_demo):
    res = predict(trained_demo, "--ckpt_file", trained_demo["ckpt"], POSITIVE, NEGATIVE, "", POSITIVE)
    assert res.returncode == 0, res.stderr
    out = json_lines(res.stdout)
    assert [r["label"] for r in out] == ["positive", "negative", out[2]["label"], "positive"]
    assert out[0]["score"] > 0.65 and out[1]["score"] < 0.35 and out[0] == out[3]
    assert all(set(r) == {"label", "score"} and 0 <= r["score"] <= 1 for r in out)
    assert "4 reviews classified" in res.stderr


@pytest.mark.slow
def test_input_file_to_output_file_and_stdin(trained_demo, tmp_path):
    long_review = " ".join(["dull"] * 3000 + ["wonderful"] * 5)
    lines = [NEGATIVE, "", POSITIVE, long_review, "   ", "<br /><br />Superb!"]
    src = tmp_path / "reviews.txt"
    src.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    out = tmp_path / "sub" / "pred.jsonl"
    res = predict(trained_demo, "--ckpt_file", trained_demo["ckpt"], "--input_file", str(src),
                  "--output_file", str(out))
    assert res.returncode == 0, res.stderr
    assert f"results in {out}" in res.stdout
    from_file = json_lines(out.read_text())
    assert len(from_file) == len(lines)
    assert [r["label"] for r in from_file[:3]] == ["negative", from_file[1]["label"], "positive"]
    assert from_file[1] == from_file[4]  # empty and blank lines both become one <unk>
    assert os.listdir(out.parent) == ["pred.jsonl"]  # no temporary file left behind
    # the same reviews through stdin, one by one on the command line: identical lines
    piped = predict(trained_demo, "--ckpt_file", trained_demo["ckpt"], "--input_file", "-",
                    stdin="\n".join(lines) + "\n")
    assert piped.returncode == 0, piped.stderr
    assert json_lines(piped.stdout) == from_file
    one_by_one = predict(trained_demo, "--ckpt_file", trained_demo["ckpt"], "--batch_size", "1", *lines)
    assert [r["label"] for r in json_lines(one_by_one.stdout)] == [r["label"] for r in from_file]
    np.testing.assert_allclose([r["score"] for r in json_lines(one_by_one.stdout)],
                               [r["score"] for r in from_file], atol=1e-5)


@pytest.mark.slow
def test_mindir_and_onnx_predict_like_the_checkpoint(trained_demo, mindir, predictors, demo):
    from src import imdb
    texts = [POSITIVE, NEGATIVE, "", " ".join(["great"] * 500)]
    texts += [imdb.read_review(p, 1 << 20)[0] for p, _ in imdb.list_split(demo["aclimdb"], "test")[::20]]
    want = predictors["ckpt"].scores(texts)
    for name in ("mindir", "onnx"):
        got = predictors[name].scores(texts)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5, err_msg=name)
        assert np.array_equal(got >= 0.5, want >= 0.5), name
    res = predict(trained_demo, "--mindir_file", mindir, POSITIVE, NEGATIVE)
    assert res.returncode == 0, res.stderr
    cli = json_lines(res.stdout)
    api = predictors["ckpt"].predict([POSITIVE, NEGATIVE])
    assert [r["label"] for r in cli] == [r["label"] for r in api] == ["positive", "negative"]
    np.testing.assert_allclose([r["score"] for r in cli], [r["score"] for r in api], atol=1e-5)


@pytest.mark.slow
def test_predictor_encodes_like_training(trained_demo, predictors, demo):
    """Raw test reviews through the predictor give exactly the ids preprocessing stored."""
    import mindspore.dataset as ds

    from src import imdb
    from src.dataset import mindrecord_name
    items = imdb.list_split(demo["aclimdb"], "test")
    texts = [imdb.read_review(p, 1 << 20)[0] for p, _ in items]
    data = ds.MindDataset(os.path.join(trained_demo["pre"], mindrecord_name("test")), columns_list=["ids", "label"],
                          shuffle=False)
    stored = [(list(r["ids"]), int(r["label"])) for r in data.create_dict_iterator(num_epochs=1, output_numpy=True)]
    assert [label for _, label in stored] == [label for _, label in items]
    assert predictors["ckpt"].encode(texts) == [ids for ids, _ in stored]
    # truncation keeps head_len tokens of the head and the rest from the tail
    p = predictors["ckpt"]
    long_ids = p.encode([" ".join(["great"] * 30 + ["the"] * 100 + ["awful"] * 70)])[0]
    index = p.index
    assert len(long_ids) == p.max_len == 80 and p.head_len == 20
    assert long_ids[:20] == [index["great"]] * 20 and long_ids[-60:] == [index["awful"]] * 60
    assert p.encode([""]) == [[1]]


@pytest.mark.slow
def test_accuracy_of_the_predictor_on_the_test_split(predictors, demo):
    from src import imdb
    items = imdb.list_split(demo["aclimdb"], "test")
    texts = [imdb.read_review(p, 1 << 20)[0] for p, _ in items]
    labels = np.array([label for _, label in items])
    for name, pred in predictors.items():
        acc = float(np.mean((pred.scores(texts) >= 0.5) == labels))
        assert acc >= 0.85, name


@pytest.mark.slow
def test_exported_model_of_another_vocabulary_is_refused(trained_demo, mindir, tmp_path):
    model = tmp_path / "m.mindir"
    shutil.copy(mindir, model)
    side = json.loads(open(mindir + ".json").read())
    side["vocab_hash"] = "0123456789abcdef"
    (tmp_path / "m.mindir.json").write_text(json.dumps(side))
    res = predict(trained_demo, "--mindir_file", str(model), POSITIVE)
    assert res.returncode == 1
    assert "was exported with vocab_hash='0123456789abcdef' but the preprocess folder has vocab_hash=" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- errors before any model loads (fast)

@pytest.mark.parametrize("setup,args,message", [
    ("empty", ["--input_file", "{tmp}/empty.txt"], "input file '{tmp}/empty.txt' is empty: nothing to classify"),
    ("none", [], "nothing to classify: pass review texts after the options, or --input_file FILE"),
    ("empty", ["--input_file", "{tmp}/empty.txt", "a text"], "give review texts or --input_file, not both"),
    ("none", ["--input_file", "{tmp}/missing.txt"], "No such file or directory: '{tmp}/missing.txt'"),
    ("none", ["one"], "give exactly one model: --ckpt_file, --mindir_file or --onnx_file"),
])
def test_input_errors_are_one_line(tmp_path, setup, args, message):
    (tmp_path / "pre").mkdir()
    if setup == "empty":
        (tmp_path / "empty.txt").write_bytes(b"")
    args = [a.format(tmp=tmp_path) for a in args]
    res = run_script("predict.py", ["--preprocess_path", str(tmp_path / "pre"), *args])
    assert res.returncode == 1
    assert res.stderr.startswith("error: " + message.format(tmp=tmp_path))
    assert len(res.stderr.strip().splitlines()) == 1 and res.stdout == ""


def test_empty_stdin_is_an_error(tmp_path):
    res = subprocess.run([sys.executable, os.path.join(ROOT, "predict.py"), "--ckpt_file", "x.ckpt",
                          "--input_file", "-"], input="", capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert res.stderr.startswith("error: standard input is empty: nothing to classify")


def test_missing_preprocess_folder(tmp_path):
    res = run_script("predict.py", ["--ckpt_file", "x.ckpt", "--preprocess_path", str(tmp_path / "nope"), "a"])
    assert res.returncode == 1
    assert f"preprocess folder '{tmp_path / 'nope'}' does not exist" in res.stderr
