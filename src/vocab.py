"""Vocabulary: built from training tokens, saved as vocab.txt, identical in every process."""
import collections
import hashlib

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1


class VocabError(ValueError):
    """vocab.txt is missing, malformed or does not match its recorded hash."""


def build_vocab(token_lists, min_count=1, max_vocab=0):
    """Tokens ordered by frequency (ties by token), after PAD and UNK.

    ``max_vocab`` counts the two special tokens; 0 means no cap.
    """
    counts = collections.Counter()
    for tokens in token_lists:
        counts.update(tokens)
    words = sorted((w for w, c in counts.items() if c >= min_count and w not in (PAD, UNK)),
                   key=lambda w: (-counts[w], w))
    if max_vocab:
        words = words[:max(0, max_vocab - 2)]
    return [PAD, UNK] + words


def vocab_hash(words):
    """Stable fingerprint of a vocabulary (order matters)."""
    return hashlib.sha256("\n".join(words).encode("utf-8")).hexdigest()[:16]


def encode(tokens, index):
    """Tokens -> ids through a {token: id} index; unknown tokens map to UNK_ID."""
    get = index.get
    return [get(t, UNK_ID) for t in tokens]


def to_index(words):
    return {w: i for i, w in enumerate(words)}


def save_vocab(words, path):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(words) + "\n")


def load_vocab(path):
    try:
        with open(path, encoding="utf-8") as f:
            words = f.read().split("\n")
    except FileNotFoundError:
        raise VocabError(f"vocabulary file {path!r} does not exist") from None
    except UnicodeDecodeError:
        raise VocabError(f"vocabulary file {path!r} is not UTF-8 text") from None
    if words and words[-1] == "":
        words.pop()
    if words[:2] != [PAD, UNK]:
        raise VocabError(f"vocabulary file {path!r} must start with {PAD} and {UNK}")
    if len(set(words)) != len(words):
        raise VocabError(f"vocabulary file {path!r} has duplicate tokens")
    return words
