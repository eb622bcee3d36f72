"""A small synthetic corpus in aclImdb layout and a matching GloVe-format file.

Used by the demo and the tests so that neither needs a download. Reviews mix sentiment
words (with some noise) into neutral filler, so a model must learn which words matter.
"""
import os

import numpy as np

POSITIVE = ["great", "excellent", "wonderful", "superb", "brilliant", "moving", "beautiful",
            "enjoyable", "masterpiece", "charming", "delightful", "fantastic"]
NEGATIVE = ["awful", "terrible", "boring", "dreadful", "poor", "worst", "waste", "dull",
            "horrible", "stupid", "mess", "disappointing"]
NEUTRAL = ("the a an this that movie film story plot actor actress director scene scenes was "
           "is were are it its of and to in with for on at by from as his her their acting "
           "music camera script ending characters time people watch seen saw made makes "
           "one two first last very quite rather really just some many much more most").split()


def make_review(rng, label, min_len=8, max_len=60, noise=0.1):
    n = int(rng.randint(min_len, max_len + 1))
    words = list(rng.choice(NEUTRAL, n))
    own, other = (POSITIVE, NEGATIVE) if label == 1 else (NEGATIVE, POSITIVE)
    for _ in range(max(1, n // 8)):
        pool = other if rng.rand() < noise else own
        words.insert(int(rng.randint(0, len(words) + 1)), str(rng.choice(pool)))
    text = " ".join(words).capitalize() + "."
    if rng.rand() < 0.3:
        text = text.replace(" ", " <br /><br />", 1)  # HTML as in the real reviews
    return text


def write_corpus(root, n_per_class=(200, 100), seed=0, max_len=60):
    """aclImdb/{train,test}/{neg,pos}/<id>_<stars>.txt under ``root``; returns the aclImdb path."""
    rng = np.random.RandomState(seed)
    base = os.path.join(root, "aclImdb")
    for split, n in zip(("train", "test"), n_per_class):
        for label, name in enumerate(("neg", "pos")):
            d = os.path.join(base, split, name)
            os.makedirs(d, exist_ok=True)
            for i in range(n):
                stars = int(rng.randint(7, 11) if label else rng.randint(1, 5))
                with open(os.path.join(d, f"{i}_{stars}.txt"), "w", encoding="utf-8") as f:
                    f.write(make_review(rng, label, max_len=max_len))
    return base


def write_glove(path, dim=16, seed=0, extra_words=200):
    """GloVe text file: sentiment words lean along one axis, filler is random."""
    rng = np.random.RandomState(seed)
    words = POSITIVE + NEGATIVE + NEUTRAL + [".", ","] + [f"word{i}" for i in range(extra_words)]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for w in words:
            v = rng.normal(0, 0.3, dim)
            if w in POSITIVE:
                v[0] += 1.0
            elif w in NEGATIVE:
                v[0] -= 1.0
            f.write(w + " " + " ".join(f"{x:.5f}" for x in v) + "\n")
    return path


def make_demo(root, n_per_class=(400, 200), dim=16, seed=0):
    """Write both; returns (aclimdb_path, glove_path)."""
    acl = write_corpus(root, n_per_class, seed)
    glove = write_glove(os.path.join(root, "glove", f"glove.6B.{dim}d.txt"), dim, seed)
    return acl, glove


if __name__ == "__main__":
    import sys
    out = sys.argv[1] if len(sys.argv) > 1 else "demo_data"
    acl, glove = make_demo(out)
    print(f"aclImdb: {acl}\nGloVe: {glove}")
