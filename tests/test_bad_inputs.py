"""Bad inputs through the entry scripts: one line on stderr, no traceback, nothing half-written.

Every case runs train.py or eval.py in a fresh interpreter and checks that
  * the exit code is not 0,
  * stderr is exactly one line, starting with "error:", naming the bad thing (a path, key
    or value) and saying what to do, with no "Traceback",
  * no half-written artifact is left: no new preprocess folder, no ``*.tmp-*`` file or
    folder anywhere in the case's folder or next to the shared artifacts, no checkpoint
    in ckpt_path.

The eval cases use a preprocess folder and checkpoint built in-process once per module
(no training). Run this file as a script to regenerate docs/bad_inputs.md from real runs:

    python tests/test_bad_inputs.py docs/bad_inputs.md
"""
import collections
import errno
import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.conftest import ROOT, run_script  # noqa: E402

# a tiny corpus and network: the cases are about errors, not accuracy
FLAGS = ["--embed_size", "16", "--valid_size", "10", "--batch_size", "8", "--max_vocab", "0",
         "--min_count", "1", "--bucket_width", "20", "--max_len", "80", "--head_len", "20",
         "--num_hiddens", "16", "--num_layers", "1", "--num_epochs", "1",
         "--save_checkpoint_steps", "1000", "--log_interval", "100"]


def build_workspace(root):
    """Small corpus, GloVe file, a good preprocess folder and checkpoint, and two folders that
    do not belong to that checkpoint (other vocabulary, other max_len)."""
    from src import checkpoint as ckpt_lib
    from src import dataset as data_lib
    from src.lstm import build_net
    from src.model_utils.config import get_config
    from src.synthetic import write_corpus, write_glove

    quiet = lambda *a, **k: None  # noqa: E731
    acl = write_corpus(os.path.join(root, "data"), (30, 15), seed=0)
    other_acl = write_corpus(os.path.join(root, "other"), (30, 15), seed=7)
    glove = write_glove(os.path.join(root, "glove", "glove.6B.16d.txt"), 16)
    cfg = get_config(FLAGS)
    settings = data_lib.preprocess_settings(cfg)
    pre = os.path.join(root, "pre")
    data_lib.preprocess(acl, glove, pre, settings, workers=1, log=quiet)
    other_vocab = os.path.join(root, "pre_other_vocab")
    data_lib.preprocess(other_acl, glove, other_vocab, settings, workers=1, log=quiet)
    other_len = os.path.join(root, "pre_max_len_60")
    data_lib.preprocess(acl, glove, other_len,
                        data_lib.preprocess_settings(get_config(FLAGS + ["--max_len", "60"])),
                        workers=1, log=quiet)
    meta, words, table = data_lib.load_folder(pre, settings)
    assert data_lib.load_meta(other_vocab)["vocab_hash"] != meta["vocab_hash"]
    net = build_net(cfg, len(words), table)
    os.makedirs(os.path.join(root, "ckpt"))
    ckpt = os.path.join(root, "ckpt", "lstm_best_acc.ckpt")
    ckpt_lib.save(net, ckpt, ckpt_lib.provenance(cfg, meta), {"epoch_num": 1, "best_metric": 0.5})
    return {"root": root, "acl": acl, "glove": glove, "pre": pre, "ckpt": ckpt,
            "other_vocab": other_vocab, "other_len": other_len}


# ---------------------------------------------------------------------------- helpers

def _train(ws, tmp, *extra, acl=None, glove=None):
    return ["--aclimdb_path", acl or ws["acl"], "--glove_path", glove or ws["glove"],
            "--preprocess_path", os.path.join(tmp, "pre"), "--ckpt_path", os.path.join(tmp, "ckpt"),
            "--preprocess", "true"] + FLAGS + list(extra)


def _eval(ws, tmp, *extra, ckpt=None, pre=None):
    return ["--aclimdb_path", os.path.join(tmp, "no_aclImdb"), "--glove_path", ws["glove"],
            "--preprocess_path", pre or ws["pre"], "--ckpt_file", ckpt or ws["ckpt"],
            "--metrics_file", os.path.join(tmp, "ckpt", "metrics.json"),
            "--confusion_png", "false"] + FLAGS + list(extra)


def _corpus_copy(ws, tmp):
    dst = os.path.join(tmp, "aclImdb")
    shutil.copytree(ws["acl"], dst)
    return dst


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


def _glove_with(tmp, mutate, name="glove.6B.16d.txt"):
    """A GloVe file like the workspace's, with its lines changed by ``mutate(lines)``."""
    from src.synthetic import write_glove
    path = write_glove(os.path.join(tmp, "g", name), 16)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    # surrogateescape: a "\udce9" in a line becomes the lone byte 0xE9 (not UTF-8)
    _write(path, ("\n".join(mutate(lines)) + "\n").encode("utf-8", "surrogateescape"))
    return path


def _file_in_the_way(tmp):
    """A regular file: a path below it can be neither created nor written (even as root)."""
    return _write(os.path.join(tmp, "a_file"), "not a folder\n")


def _truncate(path, keep):
    with open(path, "r+b") as f:
        f.truncate(keep)


def _pre_copy(ws, tmp):
    dst = os.path.join(tmp, "pre_copy")
    shutil.copytree(ws["pre"], dst)
    return dst


_ENOSPC_WRAPPER = '''\
import errno, os, runpy, sys
os.environ.setdefault("GLOG_v", "3")  # as the entry scripts do, before MindSpore is imported
sys.path.insert(0, {root!r})
{patch}
sys.argv = [{script!r}] + sys.argv[1:]
runpy.run_path({script!r}, run_name="__main__")
'''

# the disk fills up while the MindRecord files are written (after some bytes)
_FULL_WHILE_PREPROCESSING = '''\
import src.dataset as data_lib
def _full(path, rows, labels):
    with open(path, "wb") as f:
        f.write(b"\\0" * 4096)
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
data_lib._write_mindrecord = _full'''

# the disk fills up while the first checkpoint of epoch 1 is written (after some bytes)
_FULL_WHILE_SAVING = '''\
import mindspore as ms
def _full(net, path, *a, **k):
    with open(path, "wb") as f:
        f.write(b"\\0" * 4096)
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
ms.save_checkpoint = _full'''


def _full_disk(tmp, patch, script="train.py"):
    path = os.path.join(tmp, "full_disk_" + script)
    _write(path, _ENOSPC_WRAPPER.format(root=ROOT, patch=patch, script=os.path.join(ROOT, script)))
    return path


# ---------------------------------------------------------------------------- the cases

Case = collections.namedtuple("Case", "id what setup names fix")
# setup(ws, tmp) -> (script, args[, env]); ``names`` must all appear in the message (a
# placeholder {tmp} stands for the case's folder), ``fix`` is the "what to do" part.


def _c(id_, what, setup, names, fix):
    return Case(id_, what, setup, tuple(names), fix)


CASES = [
    # --- aclImdb
    _c("aclimdb_missing", "aclImdb folder does not exist",
       lambda ws, t: ("train.py", _train(ws, t, acl=os.path.join(t, "nowhere"))),
       ["{tmp}/nowhere", "does not exist"], "point --aclimdb_path at"),
    _c("aclimdb_empty", "aclImdb folder is empty",
       lambda ws, t: (os.makedirs(os.path.join(t, "empty")),
                      ("train.py", _train(ws, t, acl=os.path.join(t, "empty"))))[1],
       ["{tmp}/empty", "is empty"], "point --aclimdb_path at"),
    _c("aclimdb_is_a_file", "aclImdb path is a file",
       lambda ws, t: ("train.py", _train(ws, t, acl=_file_in_the_way(t))),
       ["{tmp}/a_file", "is not a folder"], "point --aclimdb_path at"),
    _c("pos_missing", "train/pos subfolder missing",
       lambda ws, t: (shutil.rmtree(os.path.join(_corpus_copy(ws, t), "train", "pos")),
                      ("train.py", _train(ws, t, acl=os.path.join(t, "aclImdb"))))[1],
       ["{tmp}/aclImdb/train", "no 'pos' subfolder"], "point --aclimdb_path at"),
    _c("neg_missing", "test/neg subfolder missing",
       lambda ws, t: (shutil.rmtree(os.path.join(_corpus_copy(ws, t), "test", "neg")),
                      ("train.py", _train(ws, t, acl=os.path.join(t, "aclImdb"))))[1],
       ["{tmp}/aclImdb/test", "no 'neg' subfolder"], "point --aclimdb_path at"),
    _c("no_txt_reviews", "train/neg holds no .txt file",
       lambda ws, t: (_empty_of_txt(os.path.join(_corpus_copy(ws, t), "train", "neg")),
                      ("train.py", _train(ws, t, acl=os.path.join(t, "aclImdb"))))[1],
       ["{tmp}/aclImdb/train/neg", "no .txt reviews"], "point --aclimdb_path at"),
    _c("huge_review", "a review file over 1 MB",
       lambda ws, t: (_write(os.path.join(_corpus_copy(ws, t), "train", "pos", "99_10.txt"),
                             b"great " * 200000),
                      ("train.py", _train(ws, t, acl=os.path.join(t, "aclImdb"))))[1],
       ["{tmp}/aclImdb/train/pos/99_10.txt", "larger than 1048576 bytes"], "remove it"),
    # --- GloVe
    _c("glove_missing", "GloVe file does not exist",
       lambda ws, t: ("train.py", _train(ws, t, glove=os.path.join(t, "glove.6B.16d.txt"))),
       ["{tmp}/glove.6B.16d.txt", "does not exist"], "pass --glove_path"),
    _c("glove_folder_without_file", "GloVe folder without glove.6B.<embed_size>d.txt",
       lambda ws, t: (os.makedirs(os.path.join(t, "gdir")),
                      ("train.py", _train(ws, t, glove=os.path.join(t, "gdir"))))[1],
       ["{tmp}/gdir", "glove.6B.16d.txt"], "pass the file with --glove_path"),
    _c("glove_wrong_count", "GloVe line with 15 of 16 values",
       lambda ws, t: ("train.py", _train(ws, t, glove=_glove_with(
           t, lambda ls: ls[:2] + [ls[2].rsplit(" ", 1)[0]] + ls[3:]))),
       ["{tmp}/g/glove.6B.16d.txt", "line 3 has 15 values, expected 16"], "fix that line"),
    _c("glove_non_numeric", "GloVe value that is not a number",
       lambda ws, t: ("train.py", _train(ws, t, glove=_glove_with(
           t, lambda ls: ls[:4] + [ls[4].rsplit(" ", 1)[0] + " 0.1x"] + ls[5:]))),
       ["{tmp}/g/glove.6B.16d.txt", "line 5 has a non-numeric value"], "fix that line"),
    _c("glove_dimension", "GloVe dimension 8 with embed_size 16",
       lambda ws, t: ("train.py", _train(ws, t, glove=_glove_with(
           t, lambda ls: [" ".join(l.split()[:9]) for l in ls], name="vectors8.txt"))),
       ["{tmp}/g/vectors8.txt", "dimension 8, but embed_size is 16"], "pass --embed_size 8"),
    _c("glove_duplicate_word", "GloVe word listed twice",
       lambda ws, t: ("train.py", _train(ws, t, glove=_glove_with(t, lambda ls: ls + [ls[0]]))),
       ["{tmp}/g/glove.6B.16d.txt", "repeats the word 'great'"], "remove the duplicate line"),
    _c("glove_not_utf8", "GloVe line that is not UTF-8",
       lambda ws, t: ("train.py", _train(ws, t, glove=_glove_with(
           t, lambda ls: ls[:1] + ["caf\udce9 " + ls[1].split(" ", 1)[1]] + ls[2:]))),
       ["{tmp}/g/glove.6B.16d.txt", "line 2 is not UTF-8"], "fix that line"),
    # --- config file and command line
    _c("yaml_syntax", "config YAML that does not parse",
       lambda ws, t: ("train.py", ["--config_path", _write(os.path.join(t, "bad.yaml"),
                                                           "batch_size: [8\nnum_epochs: 1\n")]),
       ["{tmp}/bad.yaml", "not valid YAML at line"], "fix its syntax"),
    _c("yaml_unknown_key", "unknown key in the config YAML",
       lambda ws, t: ("train.py", ["--config_path", _write(os.path.join(t, "typo.yaml"),
                                                           "batch_sise: 8\n---\n{}\n---\n{}\n")]),
       ["{tmp}/typo.yaml", "unknown key 'batch_sise'"], "remove it or fix its spelling"),
    _c("yaml_missing", "config file does not exist",
       lambda ws, t: ("train.py", ["--config_path", os.path.join(t, "none.yaml")]),
       ["{tmp}/none.yaml", "does not exist"], "check --config_path"),
    _c("unknown_option", "unknown command-line option",
       lambda ws, t: ("train.py", _train(ws, t, "--epochs", "3")),
       ["'--epochs'", "unknown option"], "see --help"),
    _c("wrong_type", "--batch_size abc",
       lambda ws, t: ("train.py", _train(ws, t, "--batch_size", "abc")),
       ["--batch_size", "'abc'"], "expects a value of type int"),
    _c("not_a_bool", "--run_eval maybe",
       lambda ws, t: ("train.py", _train(ws, t, "--run_eval", "maybe")),
       ["--run_eval", "'maybe'"], "expects true or false"),
    _c("outside_choices", "--optimizer sgd",
       lambda ws, t: ("train.py", _train(ws, t, "--optimizer", "sgd")),
       ["--optimizer", "'sgd'"], "must be one of ['adam', 'adamw', 'momentum']"),
    _c("batch_size_zero", "--batch_size 0",
       lambda ws, t: ("train.py", _train(ws, t, "--batch_size", "0")),
       ["--batch_size", "got 0"], "must be a positive integer"),
    _c("batch_size_negative", "--batch_size -8",
       lambda ws, t: ("train.py", _train(ws, t, "--batch_size", "-8")),
       ["--batch_size", "got -8"], "must be a positive integer"),
    _c("num_epochs_negative", "--num_epochs -1",
       lambda ws, t: ("train.py", _train(ws, t, "--num_epochs", "-1")),
       ["--num_epochs", "got -1"], "must be a positive integer"),
    _c("num_hiddens_zero", "--num_hiddens 0",
       lambda ws, t: ("train.py", _train(ws, t, "--num_hiddens", "0")),
       ["--num_hiddens", "got 0"], "must be a positive integer"),
    _c("dropout_one", "--dropout 1.0",
       lambda ws, t: ("train.py", _train(ws, t, "--dropout", "1.0")),
       ["--dropout", "got 1.0"], "must be in [0, 1)"),
    _c("batch_larger_than_data", "--batch_size 500 on 50 training reviews",
       lambda ws, t: ("train.py", _train(ws, t, "--batch_size", "500", "--preprocess_path", ws["pre"])),
       ["batch_size 500", "50 reviews"], "pass a smaller --batch_size"),
    _c("valid_size_too_big", "--valid_size 60 of 60 training reviews",
       lambda ws, t: ("train.py", _train(ws, t, "--valid_size", "60")),
       ["valid_size 60", "60 training reviews"], "pass a smaller --valid_size"),
    # --- devices and environment
    _c("device_target_unknown", "--device_target TPU",
       lambda ws, t: ("train.py", _train(ws, t, "--device_target", "TPU")),
       ["--device_target", "'TPU'"], "must be one of ['CPU', 'GPU', 'Ascend']"),
    _c("device_gpu_absent", "--device_target GPU on a CPU-only machine",
       lambda ws, t: ("train.py", _train(ws, t, "--device_target", "GPU")),
       ["device_target GPU", "not available"], "use --device_target CPU"),
    _c("device_ascend_absent", "eval.py --device_target Ascend on a CPU-only machine",
       lambda ws, t: ("eval.py", _eval(ws, t, "--device_target", "Ascend")),
       ["device_target Ascend", "not available"], "use --device_target CPU"),
    _c("rank_id_not_a_number", "RANK_ID=abc",
       lambda ws, t: ("train.py", _train(ws, t), {"RANK_ID": "abc"}),
       ["RANK_ID", "'abc'"], "unset it for a single-device run"),
    _c("rank_id_outside_group", "RANK_ID=2 with RANK_SIZE=2",
       lambda ws, t: ("train.py", _train(ws, t), {"RANK_ID": "2", "RANK_SIZE": "2"}),
       ["RANK_ID", "less than RANK_SIZE (2)", "'2'"], "unset it for a single-device run"),
    _c("rank_size_zero", "RANK_SIZE=0 (the device count)",
       lambda ws, t: ("train.py", _train(ws, t), {"RANK_SIZE": "0"}),
       ["RANK_SIZE", "'0'"], "unset it for a single-device run"),
    _c("device_id_negative", "eval.py with DEVICE_ID=-1",
       lambda ws, t: ("eval.py", _eval(ws, t), {"DEVICE_ID": "-1"}),
       ["DEVICE_ID", "'-1'"], "unset it for a single-device run"),
    # --- output folders and disk
    _c("ckpt_path_unwritable", "ckpt_path below a regular file",
       lambda ws, t: ("train.py", _train(ws, t) + ["--ckpt_path", os.path.join(_file_in_the_way(t), "ckpt")]),
       ["--ckpt_path", "{tmp}/a_file/ckpt", "is a file, not a folder"], "choose another --ckpt_path"),
    _c("preprocess_path_unwritable", "preprocess_path below a regular file",
       lambda ws, t: ("train.py", _train(ws, t) + ["--preprocess_path", os.path.join(_file_in_the_way(t), "pre")]),
       ["--preprocess_path", "{tmp}/a_file/pre"], "choose another --preprocess_path"),
    _c("metrics_file_unwritable", "eval.py --metrics_file below a regular file",
       lambda ws, t: ("eval.py", _eval(ws, t) + ["--metrics_file",
                                                 os.path.join(_file_in_the_way(t), "m.json")]),
       ["--metrics_file", "{tmp}/a_file/m.json", "is a file, not a folder"],
       "choose another --metrics_file"),
    _c("disk_full_preprocessing", "disk full while writing the MindRecord files (simulated)",
       lambda ws, t: (_full_disk(t, _FULL_WHILE_PREPROCESSING), _train(ws, t)),
       ["No space left on device", "aclImdb_train.mindrecord"], "free some disk space"),
    _c("disk_full_checkpoint", "disk full while saving a checkpoint (simulated)",
       lambda ws, t: (_full_disk(t, _FULL_WHILE_SAVING), _train(ws, t, "--preprocess_path", ws["pre"],
                                                                "--preprocess", "false")),
       ["No space left on device", ".ckpt"], "free some disk space"),
    # --- checkpoints
    _c("ckpt_not_given", "eval.py without --ckpt_file",
       lambda ws, t: ("eval.py", _eval(ws, t, "--ckpt_file", "")),
       ["no checkpoint given"], "pass --ckpt_file"),
    _c("ckpt_missing", "checkpoint does not exist",
       lambda ws, t: ("eval.py", _eval(ws, t, ckpt=os.path.join(t, "lstm_best_acc.ckpt"))),
       ["{tmp}/lstm_best_acc.ckpt", "does not exist"], "pass the .ckpt file training wrote"),
    _c("ckpt_truncated", "checkpoint cut to half its size",
       lambda ws, t: ("eval.py", _eval(ws, t, ckpt=_truncated_ckpt(ws, t))),
       ["{tmp}/half.ckpt", "cannot be read"], "use another checkpoint"),
    _c("ckpt_not_a_checkpoint", "a text file passed as checkpoint",
       lambda ws, t: ("eval.py", _eval(ws, t, ckpt=_write(os.path.join(t, "notes.ckpt"), "hello\n"))),
       ["{tmp}/notes.ckpt", "cannot be read"], "use another checkpoint"),
    _c("ckpt_other_shape", "checkpoint of num_hiddens 16 with --num_hiddens 32",
       lambda ws, t: ("eval.py", _eval(ws, t, "--num_hiddens", "32")),
       ["has num_hiddens=16 but the config has num_hiddens=32"], "pass --num_hiddens 16"),
    _c("ckpt_other_readout", "checkpoint of readout pool with --readout last",
       lambda ws, t: ("eval.py", _eval(ws, t, "--readout", "last")),
       ["has readout='pool' but the config has readout='last'"], "pass --readout pool"),
    # --- preprocess folders
    _c("pre_other_vocabulary", "preprocess folder built from other reviews (vocab_hash differs)",
       lambda ws, t: ("eval.py", _eval(ws, t, pre=ws["other_vocab"])),
       ["vocab_hash=", "but the preprocess folder has vocab_hash="],
       "pass the --preprocess_path the checkpoint was trained with"),
    _c("pre_other_max_len", "preprocess folder made with max_len 60 for a max_len 80 checkpoint",
       lambda ws, t: ("eval.py", _eval(ws, t, "--max_len", "60", pre=ws["other_len"])),
       ["has max_len=80 but the preprocess folder has max_len=60"],
       "pass the --preprocess_path the checkpoint was trained with"),
    _c("pre_config_max_len", "--max_len 90 against a folder made with max_len 80",
       lambda ws, t: ("eval.py", _eval(ws, t, "--max_len", "90")),
       ["was made with max_len=80", "the config says max_len=90"], "preprocess again or fix the config"),
    _c("pre_missing", "eval.py with a preprocess folder that does not exist",
       lambda ws, t: ("eval.py", _eval(ws, t, "--preprocess", "false", pre=os.path.join(t, "nopre"))),
       ["{tmp}/nopre", "does not exist"], "pass the folder training used"),
    _c("mindrecord_truncated_eval", "eval.py on a truncated MindRecord file",
       lambda ws, t: ("eval.py", _eval(ws, t, pre=_truncated_mindrecord(ws, t, "test"))),
       ["{tmp}/pre_copy", "aclImdb_test.mindrecord", "truncated"], "--preprocess true to rebuild it"),
    _c("mindrecord_truncated_train", "train.py --preprocess false on a truncated MindRecord file",
       lambda ws, t: ("train.py", _train(ws, t, "--preprocess", "false", "--preprocess_path",
                                        _truncated_mindrecord(ws, t, "train"))),
       ["{tmp}/pre_copy", "aclImdb_train.mindrecord", "truncated"], "--preprocess true to rebuild it"),
    _c("meta_json_corrupt", "meta.json that is not JSON",
       lambda ws, t: ("eval.py", _eval(ws, t, pre=_corrupt_meta(ws, t))),
       ["{tmp}/pre_copy/meta.json", "not valid JSON"], "preprocess again"),
    # --- predict.py
    _c("predict_empty_input", "predict.py --input_file of an empty file",
       lambda ws, t: ("predict.py", ["--ckpt_file", ws["ckpt"], "--preprocess_path", ws["pre"],
                                     "--input_file", _write(os.path.join(t, "empty.txt"), ""),
                                     "--output_file", os.path.join(t, "out.jsonl")]),
       ["{tmp}/empty.txt", "is empty"], "one review per line"),
]


def _empty_of_txt(folder):
    for name in os.listdir(folder):
        os.rename(os.path.join(folder, name), os.path.join(folder, name + ".bak"))


def _truncated_ckpt(ws, tmp):
    path = os.path.join(tmp, "half.ckpt")
    shutil.copy(ws["ckpt"], path)
    _truncate(path, os.path.getsize(path) // 2)
    return path


def _truncated_mindrecord(ws, tmp, split):
    folder = _pre_copy(ws, tmp)
    path = os.path.join(folder, f"aclImdb_{split}.mindrecord")
    _truncate(path, os.path.getsize(path) - 100)
    return folder


def _corrupt_meta(ws, tmp):
    folder = _pre_copy(ws, tmp)
    _write(os.path.join(folder, "meta.json"), '{"format_version": 1, "settings": ')
    return folder


def run_case(case, ws, tmp):
    """Run one case in folder ``tmp``; returns (CompletedProcess, args used)."""
    out = case.setup(ws, tmp)
    script, args, env = (out + ({},))[:3]
    res = run_script(script, args, env=env, timeout=300)
    return res, script


def _tmp_leftovers(*folders):
    found = []
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            found += [os.path.join(dirpath, n) for n in dirnames + filenames if ".tmp-" in n]
    return found


def check_result(case, res, ws, tmp):
    """The assertions every case shares; returns the message line."""
    lines = res.stderr.strip().splitlines()
    assert res.returncode != 0, f"exit code 0; stdout: {res.stdout[-500:]}"
    assert "Traceback" not in res.stderr, res.stderr
    assert len(lines) == 1, res.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    for name in case.names:
        assert name.replace("{tmp}", tmp) in line, (name, line)
    assert case.fix in line, (case.fix, line)
    # nothing half-written: no new preprocess folder, no temporaries, no checkpoint
    assert not os.path.exists(os.path.join(tmp, "pre")), "a preprocess folder was left behind"
    assert not _tmp_leftovers(tmp, ws["root"]), _tmp_leftovers(tmp, ws["root"])
    for name in ("out.jsonl", os.path.join("ckpt", "metrics.json")):
        assert not os.path.exists(os.path.join(tmp, name)), name
    ckpt_dir = os.path.join(tmp, "ckpt")
    if os.path.isdir(ckpt_dir):
        assert not [n for n in os.listdir(ckpt_dir) if n.endswith(".ckpt")], os.listdir(ckpt_dir)
    return line


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return build_workspace(str(tmp_path_factory.mktemp("bad_inputs")))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, ws, tmp_path):
    res, _ = run_case(case, ws, str(tmp_path))
    check_result(case, res, ws, str(tmp_path))


def test_debug_flag_shows_the_traceback(tmp_path):
    res = run_script("train.py", ["--aclimdb_path", str(tmp_path / "nowhere"), "--ckpt_path",
                                  str(tmp_path / "ckpt"), "--preprocess_path", str(tmp_path / "pre"),
                                  "--debug"] + FLAGS)
    assert res.returncode != 0
    assert "Traceback (most recent call last)" in res.stderr
    assert "FormatError: " in res.stderr.strip().splitlines()[-1]


def test_case_ids_are_distinct():
    assert len({c.id for c in CASES}) == len(CASES) >= 25


# ------------------------------------------------- accepted odd reviews and in-process checks

def test_empty_and_non_utf8_reviews_are_accepted_and_counted(ws, tmp_path):
    """Documented choice (src.imdb.read_review): an empty review and one with bytes that are
    not UTF-8 are kept (the bad bytes decode to U+FFFD, which splits words like a space) and
    counted in meta.json's stats, not rejected."""
    from src import dataset as data_lib
    from src.model_utils.config import get_config
    acl = str(tmp_path / "aclImdb")
    shutil.copytree(ws["acl"], acl)
    _write(os.path.join(acl, "train", "pos", "100_10.txt"), b"")
    _write(os.path.join(acl, "train", "neg", "100_1.txt"), b"caf\xe9 was awful \xff\xfe")
    msgs = []
    meta = data_lib.preprocess(acl, ws["glove"], str(tmp_path / "pre"),
                               data_lib.preprocess_settings(get_config(FLAGS)), workers=1,
                               log=msgs.append)
    assert meta["stats"]["empty"] == 1 and meta["stats"]["not_utf8"] == 1
    assert meta["stats"]["files"] == 92
    assert any("(1 empty, 1 with non-UTF-8 bytes" in m for m in msgs)


def _enospc(path):
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)


def test_full_disk_is_one_line_in_process(capsys):
    from src.cli import run

    def main(argv):
        raise _enospc("/data/run/ckpt/lstm_last.ckpt.tmp-7.ckpt")
    assert run(main, []) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: No space left on device: ")
    assert "lstm_last.ckpt" in err[0] and "free some disk space" in err[0]


def test_atomic_writers_leave_nothing_on_full_disk(tmp_path, monkeypatch):
    """checkpoint.save, write_json (history, metrics, meta.json, export sidecars) and
    save_config delete their temporary file when the disk fills up mid-write, and leave any
    old file untouched."""
    import builtins
    import json

    import mindspore as ms

    from src import checkpoint as ckpt_lib
    from src.fsutil import write_json
    from src.model_utils.config import get_config, save_config

    def partial_save(net, path, *a, **k):
        _write(path, b"\0" * 100)
        raise _enospc(path)
    monkeypatch.setattr(ms, "save_checkpoint", partial_save)
    with pytest.raises(OSError):
        ckpt_lib.save(None, str(tmp_path / "x.ckpt"), {})

    real_open = builtins.open

    class FullFile:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(data[:1])
            raise _enospc(self.f.name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    def full_open(path, mode="r", *a, **k):
        f = real_open(path, mode, *a, **k)
        return FullFile(f) if "w" in mode and ".tmp-" in str(path) else f
    _write(str(tmp_path / "history.json"), '{"old": 1}\n')
    monkeypatch.setattr(builtins, "open", full_open)
    with pytest.raises(OSError):
        write_json({"epochs": []}, str(tmp_path / "history.json"))
    with pytest.raises(OSError):
        save_config(get_config([]), str(tmp_path / "config.yaml"))
    monkeypatch.setattr(builtins, "open", real_open)
    assert sorted(os.listdir(tmp_path)) == ["history.json"]
    assert json.loads((tmp_path / "history.json").read_text()) == {"old": 1}


# ------------------------------------------------------------- docs/bad_inputs.md from real runs

def write_doc(path):
    """Run every case in a scratch folder and write the table of messages to ``path``."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bad_inputs_") as root:
        ws = build_workspace(os.path.join(root, "ws"))
        for i, case in enumerate(CASES, 1):
            tmp = os.path.join(root, f"case{i:02d}")
            os.makedirs(tmp)
            res, script = run_case(case, ws, tmp)
            try:
                check_result(case, res, ws, tmp)
                ok = "yes"
            except AssertionError as e:
                ok = f"NO: {e}"
            msg = res.stderr.strip().replace(root, "<tmp>").replace("|", "\\|")
            rows.append((i, case.what, os.path.basename(script).replace("full_disk_", ""),
                         res.returncode, msg, ok))
            print(f"{i:2d} {case.id}: {res.returncode} {msg[:100]}", file=sys.stderr)
    out = ["# Bad inputs and the messages they produce", "",
           "Generated by `python tests/test_bad_inputs.py docs/bad_inputs.md` from real runs of the",
           "entry scripts (each case is also a test in tests/test_bad_inputs.py). `<tmp>` is the",
           "scratch folder of the run. Every message is the whole of stderr: one line, no traceback",
           "(`--debug` or `LSTM_DEBUG=1` shows it). Exit code 2 is a config or command-line error,",
           "1 any other failure. \"Clean\" means the checks of the test passed: nothing half-written",
           "was left (no new preprocess folder, no `*.tmp-*` file, no checkpoint).", "",
           "| # | bad input | script | exit | message | clean |", "|---|---|---|---|---|---|"]
    out += [f"| {i} | {what} | {script} | {code} | `{msg}` | {ok} |" for i, what, script, code, msg, ok in rows]
    out += ["", "## Accepted, not rejected", "",
            "An empty review file and a review with bytes that are not UTF-8 are kept: the bad bytes",
            "decode to U+FFFD, which the tokenizer treats as a space, and an empty review becomes one",
            "`<unk>` token. Both are counted in the preprocess folder's `meta.json` (`stats.empty`,",
            "`stats.not_utf8`) and in the preprocess log line, e.g.",
            "`preprocess: read 92 reviews, ... (1 empty, 1 with non-UTF-8 bytes; ...)`",
            "(tested by `test_empty_and_non_utf8_reviews_are_accepted_and_counted`).", ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    return rows


if __name__ == "__main__":
    write_doc(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "bad_inputs.md"))
