import os
import subprocess
import sys

import pytest

from src import vocab
from tests.conftest import ROOT


def test_order_frequency_then_token():
    words = vocab.build_vocab([["b", "a", "c", "a"], ["b", "d"]])
    assert words == ["<pad>", "<unk>", "a", "b", "c", "d"]


def test_min_count_and_max_vocab():
    toks = [["a"] * 3 + ["b"] * 2 + ["c"]]
    assert vocab.build_vocab(toks, min_count=2) == ["<pad>", "<unk>", "a", "b"]
    assert vocab.build_vocab(toks, max_vocab=3) == ["<pad>", "<unk>", "a"]


def test_encode_maps_unknown_to_1():
    index = vocab.to_index(["<pad>", "<unk>", "good"])
    assert vocab.encode(["good", "nope"], index) == [2, 1]


def test_save_load_roundtrip_and_hash(tmp_path):
    words = vocab.build_vocab([["x", "y", "ü", "x"]])
    path = str(tmp_path / "vocab.txt")
    vocab.save_vocab(words, path)
    assert vocab.load_vocab(path) == words
    assert vocab.vocab_hash(words) == vocab.vocab_hash(list(words))
    assert vocab.vocab_hash(words) != vocab.vocab_hash(words[:2] + words[:1:-1])


def test_load_rejects_bad_files(tmp_path):
    with pytest.raises(vocab.VocabError, match="does not exist"):
        vocab.load_vocab(str(tmp_path / "none.txt"))
    bad = tmp_path / "bad.txt"
    bad.write_text("a\nb\n")
    with pytest.raises(vocab.VocabError, match="must start with"):
        vocab.load_vocab(str(bad))


def test_identical_across_hash_seeds():
    code = ("import sys; sys.path.insert(0, %r); from src import vocab, synthetic; import numpy as np;"
            "rng = np.random.RandomState(0);"
            "toks = [synthetic.make_review(rng, i %% 2).split() for i in range(300)];"
            "print(vocab.vocab_hash(vocab.build_vocab(toks)))" % ROOT)
    hashes = set()
    for seed in ("0", "1", "12345"):
        out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONHASHSEED=seed),
                             capture_output=True, text=True, check=True)
        hashes.add(out.stdout.strip())
    assert len(hashes) == 1 and len(hashes.pop()) == 16
