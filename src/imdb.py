"""Reading aclImdb and turning review text into tokens.

One tokenizer serves training, evaluation, export pre-processing and prediction;
its settings travel in the preprocess folder's meta.json (see ``tokenizer_settings``).
"""
import html
import os
import re

TOKENIZER_VERSION = 1

_TAG = re.compile(r"<[^>]*>")
# GloVe 6B was built from PTB-tokenized text, so English clitics are split the same
# way ("don't" -> "do n't", "it's" -> "it 's"); other inner apostrophes stay
# ("o'brien"). Numbers keep inner separators ("7/10", "3.5", "1,000").
_CLITIC = re.compile(r"(?<=\w)(n't|'s|'re|'ve|'ll|'d|'m)\b")
_TOKEN = re.compile(r"\w+(?:[./,]\d+)*(?:'\w+)*|'(?:s|re|ve|ll|d|m)\b|[^\w\s]")
# cp1252 punctuation that some reviews carry as C1 control characters
_PUNCT = str.maketrans({"\x91": "'", "\x92": "'", "\u2019": "'", "\u2018": "'", "`": "'",
                        "\xb4": "'", "\x96": "-", "\x97": "-", "\x93": '"', "\x94": '"',
                        "\ufffd": " "})

LABELS = ("neg", "pos")  # label id = index


def tokenizer_settings(lowercase=True):
    """What a preprocess folder records so later runs can refuse other settings."""
    return {"version": TOKENIZER_VERSION, "lowercase": bool(lowercase)}


def tokenize(text, lowercase=True):
    """Review text -> list of tokens: strips HTML, splits punctuation and clitics."""
    text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = text.translate(_PUNCT)
    if lowercase:
        text = text.lower()
    text = _CLITIC.sub(r" \1", text)
    return _TOKEN.findall(text)


def truncate(ids, max_len, head=None):
    """Keep at most ``max_len`` ids: the first ``head`` and the last ``max_len - head``.

    Reviews often state the verdict at the end, so the tail is kept as well as the
    head; ``head=None`` keeps a quarter head, three quarters tail.
    """
    if len(ids) <= max_len:
        return list(ids)
    if head is None:
        head = max_len // 4
    tail = max_len - head
    return list(ids[:head]) + (list(ids[-tail:]) if tail else [])


class ImdbFormatError(ValueError):
    """The aclImdb folder does not have the expected layout."""


_LAYOUT = "point --aclimdb_path at the extracted aclImdb folder (train/ and test/, each with neg/ and pos/)"


def list_split(root, split):
    """Sorted (path, label) pairs of ``root/split/{neg,pos}/*.txt``.

    Raises ImdbFormatError (and nothing else) for a folder without that layout.
    """
    try:
        if not os.path.isdir(root):
            raise ImdbFormatError(f"aclImdb folder {root!r} does not exist: {_LAYOUT}")
        if not os.listdir(root):
            raise ImdbFormatError(f"aclImdb folder {root!r} is empty (no '{split}' subfolder): {_LAYOUT}")
        split_dir = os.path.join(root, split)
        if not os.path.isdir(split_dir):
            raise ImdbFormatError(f"aclImdb folder {root!r} has no '{split}' subfolder: {_LAYOUT}")
        subs = [os.path.join(split_dir, name) for name in LABELS]
        for sub, name in zip(subs, LABELS):
            if not os.path.isdir(sub):
                raise ImdbFormatError(f"aclImdb folder {split_dir!r} has no '{name}' subfolder: {_LAYOUT}")
        items = []
        for label, sub in enumerate(subs):
            files = sorted(f for f in os.listdir(sub) if f.endswith(".txt"))
            if not files:
                raise ImdbFormatError(f"aclImdb folder {sub!r} has no .txt reviews: {_LAYOUT}")
            items.extend((os.path.join(sub, f), label) for f in files)
    except OSError as e:  # unreadable folder, a path component that is a file, ...
        raise ImdbFormatError(f"aclImdb folder {root!r} cannot be listed ({e.strerror}): {_LAYOUT}") from None
    return items


def read_review(path, max_bytes):
    """Text of one review and whether it had bytes that are not UTF-8.

    Documented choice for odd reviews: an empty file is accepted (it becomes one
    ``<unk>`` token when encoded) and a file that is not valid UTF-8 is decoded with
    replacement (each bad byte becomes U+FFFD, which the tokenizer treats as a space);
    both are counted in the preprocess folder's ``meta.json`` (``stats.empty`` and
    ``stats.not_utf8``) and reported in the preprocess log. A file larger than
    ``max_bytes`` (1 MB by default; real reviews are under 14 KB) is rejected with
    ImdbFormatError, and so is a path that cannot be read as a file.
    """
    try:
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as e:
        raise ImdbFormatError(f"review {path!r} cannot be read ({e.strerror}): fix or remove it") from None
    if len(raw) > max_bytes:
        raise ImdbFormatError(f"review {path!r} is larger than {max_bytes} bytes, which no IMDB review "
                              f"is: remove it from the aclImdb folder")
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def read_split(root, split, lowercase=True, max_bytes=1 << 20):
    """Tokenized reviews of one split: (token lists, labels, stats).

    Empty and non-UTF-8 reviews are kept and counted (see ``read_review``).
    """
    tokens, labels = [], []
    stats = {"files": 0, "empty": 0, "not_utf8": 0}
    for path, label in list_split(root, split):
        text, bad = read_review(path, max_bytes)
        toks = tokenize(text, lowercase)
        stats["files"] += 1
        stats["empty"] += not toks
        stats["not_utf8"] += bad
        tokens.append(toks)
        labels.append(label)
    return tokens, labels, stats
