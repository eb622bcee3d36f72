import json
import os

import numpy as np
import pytest

from src import dataset as data_lib
from src.model_utils.config import get_config
from tests.conftest import DEMO_FLAGS


def _settings(*extra):
    return data_lib.preprocess_settings(get_config(DEMO_FLAGS + list(extra)))


@pytest.fixture(scope="module")
def folder(demo, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("pre") / "preprocess")
    data_lib.preprocess(demo["aclimdb"], demo["glove"], out, _settings(), log=lambda *a: None)
    return out


def test_folder_contents(folder):
    meta, words, table = data_lib.load_folder(folder)
    assert meta["counts"] == {"train": 760, "valid": 40, "test": 400}
    assert words[:2] == ["<pad>", "<unk>"] and len(words) == meta["vocab_size"]
    assert table.shape == (len(words), 16) and table.dtype == np.float32
    assert not table[0].any()
    names = set(os.listdir(folder))
    assert {"meta.json", "vocab.txt", "embedding.npy", "aclImdb_train.mindrecord",
            "aclImdb_valid.mindrecord", "aclImdb_test.mindrecord"} <= names
    assert meta["settings"]["tokenizer"] == {"version": 1, "lowercase": True}


def test_reused_when_unchanged(demo, folder):
    before = os.stat(os.path.join(folder, "meta.json")).st_mtime_ns
    msgs = []
    data_lib.preprocess(demo["aclimdb"], demo["glove"], folder, _settings(), log=msgs.append)
    assert "up to date, reused" in msgs[-1]
    assert os.stat(os.path.join(folder, "meta.json")).st_mtime_ns == before


def test_other_settings_refused(folder):
    with pytest.raises(data_lib.PreprocessError, match="was made with max_len=80, but the config says max_len=90"):
        data_lib.load_folder(folder, _settings("--max_len", "90"))


def test_rebuilt_identically_and_atomically(demo, folder, tmp_path, monkeypatch):
    out = str(tmp_path / "p2")
    data_lib.preprocess(demo["aclimdb"], demo["glove"], out, _settings(), log=lambda *a: None)
    with open(os.path.join(folder, "vocab.txt")) as a, open(os.path.join(out, "vocab.txt")) as b:
        assert a.read() == b.read()
    np.testing.assert_array_equal(np.load(os.path.join(folder, "embedding.npy")),
                                  np.load(os.path.join(out, "embedding.npy")))

    def boom(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(data_lib, "_write_mindrecord", boom)
    fresh = str(tmp_path / "p3")
    with pytest.raises(OSError):
        data_lib.preprocess(demo["aclimdb"], demo["glove"], fresh, _settings("--max_len", "70"),
                            log=lambda *a: None)
    assert not os.path.exists(fresh)
    assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n]


def test_modified_folder_detected(demo, tmp_path):
    out = str(tmp_path / "p")
    data_lib.preprocess(demo["aclimdb"], demo["glove"], out, _settings(), log=lambda *a: None)
    with open(os.path.join(out, "aclImdb_test.mindrecord"), "r+b") as f:
        f.truncate(100)
    with pytest.raises(data_lib.PreprocessError, match="incomplete or was modified"):
        data_lib.load_folder(out)
    msgs = []
    data_lib.preprocess(demo["aclimdb"], demo["glove"], out, _settings(), log=msgs.append)
    assert "wrote" in msgs[-1]
    data_lib.load_folder(out)


def test_split_is_fixed_and_disjoint():
    tr, va = data_lib.split_train_valid(100, 10, seed=1)
    tr2, va2 = data_lib.split_train_valid(100, 10, seed=1)
    assert len(va) == 10 and len(tr) == 90 and not set(tr) & set(va)
    assert (va == va2).all() and (tr == tr2).all()
    with pytest.raises(data_lib.PreprocessError, match="valid_size 100 must be smaller"):
        data_lib.split_train_valid(100, 100, seed=1)


def _rows(data):
    return [tuple(c.asnumpy() for c in row) for row in data.create_tuple_iterator(num_epochs=1)]


def test_eval_dataset_scores_every_review(folder):
    batches = _rows(data_lib.create_dataset(folder, "test", 64, 80))
    assert sum(len(b[2]) for b in batches) == 400  # 6 x 64 + 16: no review skipped
    assert all(b[0].shape[1] == 80 for b in batches)
    batches = _rows(data_lib.create_dataset(folder, "test", 64, 80, bucket_width=20))
    assert sum(len(b[2]) for b in batches) == 400
    widths = [b[0].shape[1] for b in batches]
    assert max(widths) <= 80 and len(set(widths)) > 1  # padded per bucket, not all to max_len
    for ids, length, _ in batches:
        assert length.max() <= ids.shape[1] and length.max() + 20 > ids.shape[1]
        assert (ids[np.arange(len(ids)), length - 1] != 0).all()


def test_token_cap_shrinks_only_long_buckets(folder):
    assert data_lib.bucket_batch_sizes([20, 40, 60, 80], 16, 0) == [16, 16, 16, 16]
    assert data_lib.bucket_batch_sizes([20, 40, 60, 80], 16, 640) == [16, 16, 10, 8]
    assert data_lib.bucket_batch_sizes([800], 16, 100) == [1]
    batches = _rows(data_lib.create_dataset(folder, "test", 16, 80, bucket_width=20, max_batch_tokens=640))
    assert sum(len(b[2]) for b in batches) == 400  # still every review
    assert max(b[0].shape[0] * b[0].shape[1] for b in batches) <= 640
    assert max(len(b[2]) for b in batches) == 16
    assert {len(b[2]) for b in batches if b[0].shape[1] == 80} <= set(range(1, 9))


def test_shards_split_the_data(folder):
    seen = []
    for shard in range(2):
        batches = _rows(data_lib.create_dataset(folder, "train", 10, 80, num_shards=2, shard_id=shard))
        seen.append(sum(len(b[2]) for b in batches))
    assert seen == [380, 380]


def test_meta_is_json(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    assert len(meta["vocab_hash"]) == 16 and meta["format_version"] == data_lib.FORMAT_VERSION
