"""Property-based tests of the tokenizer and the aclImdb and GloVe readers.

Arbitrary unicode and bytes never crash them: they return well-formed results or raise
their documented error (ImdbFormatError, GloveFormatError) and nothing else.
"""
import os
import shutil
import tempfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from src import glove, imdb

# database=None: no .hypothesis folder in the repository; failures print their example
FAST = settings(max_examples=1000, deadline=None, database=None)
FILES = settings(max_examples=200, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FAST
@given(st.text(), st.booleans())
def test_tokenizer_never_crashes_and_tokens_have_no_whitespace(text, lowercase):
    tokens = imdb.tokenize(text, lowercase)
    assert isinstance(tokens, list)
    for tok in tokens:
        assert isinstance(tok, str) and tok
        assert not any(c.isspace() for c in tok), repr(tok)
    # what the vocabulary and the MindRecord writer rely on: space-joining round-trips
    assert " ".join(tokens).split() == tokens


@FAST
@given(st.text(alphabet=st.sampled_from(list("ab <>/&;#x'\u2019\x92\x96\ufffd.,0123 \t\n")), max_size=60))
def test_tokenizer_on_html_and_punctuation_soup(text):
    for tok in imdb.tokenize(text):
        assert tok and not any(c.isspace() for c in tok)


def _tmpdir():
    return tempfile.mkdtemp(prefix="fuzz_")


@FILES
@given(st.binary(max_size=300), st.integers(min_value=0, max_value=400))
def test_read_review_on_arbitrary_bytes(data, max_bytes):
    d = _tmpdir()
    try:
        path = os.path.join(d, "0_1.txt")
        with open(path, "wb") as f:
            f.write(data)
        try:
            text, bad = imdb.read_review(path, max_bytes)
        except imdb.ImdbFormatError as e:
            assert len(data) > max_bytes and "larger than" in str(e)
            return
        assert len(data) <= max_bytes and isinstance(text, str)
        try:
            assert text == data.decode("utf-8") and not bad
        except UnicodeDecodeError:
            assert bad and text == data.decode("utf-8", errors="replace")
        imdb.tokenize(text)
    finally:
        shutil.rmtree(d)


def _check_glove_result(result, wanted=None, embed_size=None):
    rows, matrix, dim, lines = result
    assert matrix.dtype == np.float32 and matrix.ndim == 2
    assert matrix.shape == (len(rows), dim) and dim >= 1 and lines >= len(rows)
    assert sorted(rows.values()) == list(range(len(rows)))
    assert np.isfinite(matrix).all()
    if wanted is not None:
        assert set(rows) <= set(wanted)
    if embed_size is not None:
        assert dim == embed_size


def _read_glove_bytes(data, **kwargs):
    d = _tmpdir()
    try:
        path = os.path.join(d, "g.txt")
        with open(path, "wb") as f:
            f.write(data)
        try:
            result = glove.read_glove(path, **kwargs)
        except glove.GloveFormatError as e:
            assert repr(path) in str(e)  # the message names the file
            return None
        _check_glove_result(result, kwargs.get("wanted"), kwargs.get("embed_size"))
        return result
    finally:
        shutil.rmtree(d)


@FILES
@given(st.binary(max_size=400))
def test_read_glove_on_arbitrary_bytes(data):
    _read_glove_bytes(data)


_WORD = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
                min_size=0, max_size=6)
_VALUE = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr),
                   st.integers(-5, 5).map(str), st.sampled_from(["x", "1e99", "--1", "", "0x1", "1,5"]))
_LINE = st.tuples(_WORD, st.lists(_VALUE, min_size=0, max_size=4)).map(
    lambda t: t[0] + " " + " ".join(t[1]))


@FILES
@given(st.lists(_LINE, max_size=8), st.sampled_from(["\n", "\r\n"]),
       st.one_of(st.none(), st.integers(1, 4)), st.one_of(st.none(), st.sets(_WORD, max_size=4)))
def test_read_glove_on_glove_like_lines(lines, newline, embed_size, wanted):
    data = newline.join(lines).encode("utf-8")
    _read_glove_bytes(data, embed_size=embed_size, wanted=wanted)


# a random aclImdb-like tree: each entry is (relative path, kind)
_PART = st.sampled_from(["train", "test", "neg", "pos", "unsup", "a.txt", "b.txt", "c.TXT", "d"])
_ENTRY = st.tuples(st.lists(_PART, min_size=1, max_size=4).map(lambda parts: os.path.join(*parts)),
                   st.sampled_from(["file", "dir", "big", "bad_utf8"]))


def _make_tree(root, entries):
    for rel, kind in entries:
        path = os.path.join(root, rel)
        try:
            if kind == "dir":
                os.makedirs(path, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write({"file": b"a fine film", "big": b"x" * 2000,
                             "bad_utf8": b"caf\xe9"}[kind])
        except OSError:
            pass  # a path below a file, or a file where a folder is: keep what could be made


@FILES
@given(st.lists(_ENTRY, max_size=12), st.sampled_from(["train", "test"]), st.booleans())
def test_list_split_and_read_split_on_random_trees(entries, split, root_is_file):
    d = _tmpdir()
    try:
        root = os.path.join(d, "aclImdb")
        if root_is_file:
            with open(root, "wb") as f:
                f.write(b"not a folder")
        else:
            os.makedirs(root)
            _make_tree(root, entries)
        try:
            items = imdb.list_split(root, split)
        except imdb.ImdbFormatError as e:
            assert repr(root) in str(e) or root in str(e)
            return
        assert items and all(p.endswith(".txt") and label in (0, 1) for p, label in items)
        assert [p for p, _ in items if _ == 0] == sorted(p for p, _ in items if _ == 0)
        try:
            tokens, labels, stats = imdb.read_split(root, split, max_bytes=1000)
        except imdb.ImdbFormatError:
            return
        assert len(tokens) == len(labels) == stats["files"] == len(items)
    finally:
        shutil.rmtree(d)
