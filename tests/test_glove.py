import numpy as np
import pytest

from src import glove


def _write(tmp_path, text, name="g.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_reads_plain_and_header_formats(tmp_path):
    body = "good 1 2 3\nbad -1 -2 -3\n"
    for text in (body, "2 3\n" + body):
        rows, matrix, dim, lines = glove.read_glove(_write(tmp_path, text))
        assert dim == 3 and lines == 2
        np.testing.assert_allclose(matrix[rows["bad"]], [-1, -2, -3])


def test_only_wanted_rows(tmp_path):
    rows, matrix, dim, lines = glove.read_glove(_write(tmp_path, "a 1 1\nb 2 2\nc 3 3\n"), {"c"})
    assert list(rows) == ["c"] and matrix.shape == (1, 2) and lines == 3


@pytest.mark.parametrize("text,message", [
    ("a 1 2\nb 1\n", "line 2 has 1 values, expected 2"),
    ("a 1 2\nb 1 x\n", "line 2 has a non-numeric value"),
    ("a 1 2\na 3 4\n", "line 2 repeats the word 'a'"),
    ("a 1 nan\n", "non-finite"),
    ("", "has no vectors"),
])
def test_malformed(tmp_path, text, message):
    with pytest.raises(glove.GloveFormatError, match=message):
        glove.read_glove(_write(tmp_path, text))


def test_dimension_checked_against_embed_size(tmp_path):
    with pytest.raises(glove.GloveFormatError, match="dimension 3, but embed_size is 50"):
        glove.read_glove(_write(tmp_path, "a 1 2 3\n"), embed_size=50)


def test_missing_file(tmp_path):
    with pytest.raises(glove.GloveFormatError, match="does not exist"):
        glove.read_glove(str(tmp_path / "nope.txt"))


def test_build_embedding_rows(tmp_path):
    path = _write(tmp_path, "good 1 2\nbad 3 4\n")
    words = ["<pad>", "<unk>", "bad", "zzz", "good"]
    table, stats = glove.build_embedding(words, path, 2, "random", seed=3)
    assert table.dtype == np.float32 and table.shape == (5, 2)
    np.testing.assert_array_equal(table[0], [0, 0])
    np.testing.assert_array_equal(table[2], [3, 4])
    np.testing.assert_array_equal(table[4], [1, 2])
    assert np.abs(table[3]).sum() > 0 and stats["found"] == 2 and stats["missing"] == 2
    again, _ = glove.build_embedding(words, path, 2, "random", seed=3)
    np.testing.assert_array_equal(table, again)
    zeros, _ = glove.build_embedding(words, path, 2, "zeros")
    np.testing.assert_array_equal(zeros[[1, 3]], 0)


def test_resolve_folder(tmp_path):
    _write(tmp_path, "a 1 2\n", "glove.6B.2d.txt")
    assert glove.resolve_glove_path(str(tmp_path), 2).endswith("glove.6B.2d.txt")
    with pytest.raises(glove.GloveFormatError, match="no glove.6B.50d.txt"):
        glove.resolve_glove_path(str(tmp_path), 50)
