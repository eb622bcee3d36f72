"""GloVe text vectors -> float32 embedding table aligned with a vocabulary."""
import numpy as np


class GloveFormatError(ValueError):
    """The GloVe file is missing or malformed."""


_GET = "pass --glove_path (a glove.6B.<embed_size>d.txt file from https://nlp.stanford.edu/projects/glove/, or its folder)"
_FIX = "fix that line or download the file again"


def _is_header(first_line):
    parts = first_line.split()
    return len(parts) == 2 and all(p.isdigit() for p in parts)


def read_glove(path, wanted=None, embed_size=None):
    """Vectors of the words in ``wanted`` (all words if None): ({word: row}, matrix, dim, lines).

    Accepts the plain format and the "N D" header some tools (and the seed's docs) add.
    Only wanted lines are parsed, which is what makes reading 400,000 lines fast.
    The dimension comes from the file and must equal ``embed_size`` when that is given.
    """
    rows, vectors, dim, lines = {}, [], None, 0
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise GloveFormatError(f"GloVe file {path!r} does not exist: {_GET}") from None
    except IsADirectoryError:
        raise GloveFormatError(f"GloVe path {path!r} is a folder, expected the .txt file") from None
    except OSError as e:
        raise GloveFormatError(f"GloVe file {path!r} cannot be read ({e.strerror}): {_GET}") from None
    with f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                raise GloveFormatError(f"GloVe file {path!r} line {lineno} is not UTF-8: {_FIX}") from None
            if lineno == 1 and _is_header(line):
                continue
            if not line.strip():
                continue
            word, _, rest = line.partition(" ")
            lines += 1
            if dim is None:
                dim = len(rest.split())
                if dim == 0:
                    raise GloveFormatError(f"GloVe file {path!r} line {lineno} has no vector values: {_FIX}")
                if embed_size is not None and dim != embed_size:
                    raise GloveFormatError(
                        f"GloVe file {path!r} has dimension {dim}, but embed_size is {embed_size}: "
                        f"pass --embed_size {dim} or a glove.6B.{embed_size}d.txt file")
            if wanted is not None and word not in wanted:
                continue
            values = rest.split()
            if len(values) != dim:
                raise GloveFormatError(f"GloVe file {path!r} line {lineno} has {len(values)} values, "
                                       f"expected {dim}: {_FIX}")
            if word in rows:
                raise GloveFormatError(f"GloVe file {path!r} line {lineno} repeats the word {word!r}: "
                                       f"remove the duplicate line")
            try:
                with np.errstate(over="ignore"):  # 1e99 -> inf, refused just below
                    vec = np.array(values, dtype=np.float32)
            except ValueError:
                raise GloveFormatError(f"GloVe file {path!r} line {lineno} has a non-numeric value: {_FIX}") from None
            if not np.all(np.isfinite(vec)):
                raise GloveFormatError(f"GloVe file {path!r} line {lineno} has a non-finite value: {_FIX}")
            rows[word] = len(vectors)
            vectors.append(vec)
    if dim is None:
        raise GloveFormatError(f"GloVe file {path!r} has no vectors: {_GET}")
    matrix = np.stack(vectors) if vectors else np.zeros((0, dim), np.float32)
    return rows, matrix, dim, lines


def build_embedding(words, glove_path, embed_size=None, oov_init="random", seed=1):
    """Table of shape (len(words), dim): GloVe rows, PAD zeros, the rest seeded or zero.

    Returns (table, stats). Random rows use the scale of the GloVe vectors found, so
    unknown words start neither dominant nor invisible.
    """
    rows, matrix, dim, lines = read_glove(glove_path, set(words), embed_size)
    table = np.zeros((len(words), dim), np.float32)
    found = np.zeros(len(words), bool)
    for i, w in enumerate(words):
        r = rows.get(w)
        if r is not None:
            table[i] = matrix[r]
            found[i] = True
    found[0] = True  # PAD stays zero
    missing = np.flatnonzero(~found)
    if oov_init == "random" and len(missing):
        scale = float(matrix.std()) if len(matrix) else 0.1
        rng = np.random.RandomState(seed)
        table[missing] = rng.normal(0.0, scale, (len(missing), dim)).astype(np.float32)
    stats = {"glove_lines": lines, "dim": dim, "found": int(found.sum()) - 1,
             "missing": int(len(missing))}
    return table, stats


def resolve_glove_path(path, embed_size):
    """A GloVe file, or a folder holding ``glove.6B.<embed_size>d.txt`` (the seed passes a folder)."""
    import os
    if os.path.isdir(path):
        candidate = os.path.join(path, f"glove.6B.{embed_size}d.txt")
        if not os.path.isfile(candidate):
            raise GloveFormatError(f"GloVe folder {path!r} has no glove.6B.{embed_size}d.txt "
                                   f"(embed_size is {embed_size}): put it there or pass the file "
                                   f"with --glove_path")
        return candidate
    if not os.path.isfile(path):
        raise GloveFormatError(f"GloVe file {path!r} does not exist: {_GET}")
    return path
