import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from src.synthetic import make_demo  # noqa: E402

DEMO_FLAGS = ["--embed_size", "16", "--valid_size", "40", "--batch_size", "16", "--max_vocab", "0",
              "--min_count", "1", "--bucket_width", "20", "--max_len", "80", "--head_len", "20",
              "--log_interval", "10", "--save_checkpoint_steps", "20"]


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """A small synthetic aclImdb and GloVe file shared by the whole session (read-only)."""
    root = tmp_path_factory.mktemp("demo")
    acl, glove = make_demo(str(root))
    return {"root": str(root), "aclimdb": acl, "glove": glove}


def run_script(script, args, cwd=None, env=None, timeout=600):
    """Run an entry script in a fresh interpreter; returns CompletedProcess with text output."""
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("LSTM_DEBUG", None)
    return subprocess.run([sys.executable, os.path.join(ROOT, script)] + list(args), cwd=cwd or ROOT,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def cfg_factory():
    from src.model_utils.config import get_config

    def make(*args):
        return get_config(list(args))
    return make


@pytest.fixture(scope="session")
def trained_demo(demo, tmp_path_factory):
    """A small model trained once per session on the demo corpus (export and predict tests).

    ``args`` are the config options its checkpoint was trained with (eval.py/export.py check them).
    """
    out = tmp_path_factory.mktemp("trained")
    args = ["--config_path", os.path.join(ROOT, "config_demo.yaml"), "--preprocess_path", str(out / "pre"),
            "--num_hiddens", "32"]
    res = run_script("train.py", args + [
        "--aclimdb_path", demo["aclimdb"], "--glove_path", os.path.dirname(demo["glove"]),
        "--ckpt_path", str(out / "ckpt"), "--preprocess", "true", "--num_epochs", "3"])
    assert res.returncode == 0, res.stderr
    return {"out": out, "args": args, "pre": str(out / "pre"), "ckpt": str(out / "ckpt" / "lstm_best_acc.ckpt")}
