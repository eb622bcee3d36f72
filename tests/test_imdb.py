import os

import pytest

from src import imdb


@pytest.mark.parametrize("text,tokens", [
    ("Great movie!", ["great", "movie", "!"]),
    ("I didn't like it", ["i", "did", "n't", "like", "it"]),
    ("It's fine<br /><br />really", ["it", "'s", "fine", "really"]),
    ("O'Brien rocks", ["o'brien", "rocks"]),
    ("'The End' 7/10", ["'", "the", "end", "'", "7/10"]),
    ("rated 3.5, cost $1,000", ["rated", "3.5", ",", "cost", "$", "1,000"]),
    ("Tom &amp; Jerry", ["tom", "&", "jerry"]),
    ("dash\x96here", ["dash", "-", "here"]),
    ("", []),
])
def test_tokenize(text, tokens):
    assert imdb.tokenize(text) == tokens


def test_tokenize_keeps_case_when_asked():
    assert imdb.tokenize("Great Movie", lowercase=False) == ["Great", "Movie"]


def test_truncate_keeps_head_and_tail():
    ids = list(range(10))
    assert imdb.truncate(ids, 6, head=2) == [0, 1, 6, 7, 8, 9]
    assert imdb.truncate(ids, 20) == ids
    assert imdb.truncate(ids, 4, head=4) == [0, 1, 2, 3]
    assert len(imdb.truncate(ids, 8)) == 8


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def test_list_split_sorted_and_labelled(tmp_path):
    for name in ("b_1.txt", "a_2.txt"):
        _write(str(tmp_path / "train" / "neg" / name), b"bad")
    _write(str(tmp_path / "train" / "pos" / "c_9.txt"), b"good")
    items = imdb.list_split(str(tmp_path), "train")
    assert [os.path.basename(p) for p, _ in items] == ["a_2.txt", "b_1.txt", "c_9.txt"]
    assert [label for _, label in items] == [0, 0, 1]


def test_list_split_errors(tmp_path):
    with pytest.raises(imdb.ImdbFormatError, match="no 'train' subfolder"):
        imdb.list_split(str(tmp_path), "train")
    (tmp_path / "train" / "neg").mkdir(parents=True)
    with pytest.raises(imdb.ImdbFormatError, match="no 'pos' subfolder"):
        imdb.list_split(str(tmp_path), "train")
    (tmp_path / "train" / "pos").mkdir()
    with pytest.raises(imdb.ImdbFormatError, match="no .txt reviews"):
        imdb.list_split(str(tmp_path), "train")


def test_read_split_counts_bad_and_empty_files(tmp_path):
    _write(str(tmp_path / "train" / "neg" / "0_1.txt"), b"caf\xe9 awful")
    _write(str(tmp_path / "train" / "pos" / "0_9.txt"), b"")
    tokens, labels, stats = imdb.read_split(str(tmp_path), "train")
    assert labels == [0, 1]
    assert tokens[0] == ["caf", "awful"]  # undecodable bytes split words, never crash
    assert tokens[1] == []
    assert stats == {"files": 2, "empty": 1, "not_utf8": 1}


def test_huge_review_rejected(tmp_path):
    _write(str(tmp_path / "train" / "neg" / "0_1.txt"), b"x" * 100)
    _write(str(tmp_path / "train" / "pos" / "0_9.txt"), b"ok")
    with pytest.raises(imdb.ImdbFormatError, match="larger than 50 bytes"):
        imdb.read_split(str(tmp_path), "train", max_bytes=50)
