"""Share of training-split tokens without a GloVe vector: the model zoo's split vs ours.

    python benchmarks/bench_tokenizer.py --aclimdb_path DIR --glove_path FILE

seed  the model zoo's reader: ``<br />`` removed, lowercased, ``split(" ")`` (punctuation stays
      glued to words: "movie." and "movie," are not GloVe words)
ours  src.imdb.tokenize, the tokenizer of training, evaluation and prediction
Prints, for each: tokens, tokens outside GloVe (%), distinct words outside GloVe.
"""
import argparse
import os
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def seed_tokens(text):
    return text.replace("<br />", " ").lower().split(" ")


def glove_words(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return {line.split(" ", 1)[0] for line in f}


def coverage(counts, words):
    total = sum(counts.values())
    missing = sum(n for w, n in counts.items() if w not in words)
    return total, missing, sum(1 for w in counts if w not in words)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--aclimdb_path", required=True)
    p.add_argument("--glove_path", required=True, help="a glove.6B.<d>d.txt file")
    args = p.parse_args()
    from src import imdb
    words = glove_words(args.glove_path)
    seed, ours = Counter(), Counter()
    for path, _ in imdb.list_split(args.aclimdb_path, "train"):
        text, _ = imdb.read_review(path, 1 << 20)
        seed.update(seed_tokens(text))
        ours.update(imdb.tokenize(text))
    for name, counts in (("seed", seed), ("ours", ours)):
        total, missing, distinct = coverage(counts, words)
        print(f"{name}: {total} tokens, {100 * missing / total:.2f}% outside GloVe "
              f"({distinct} distinct words outside)")


if __name__ == "__main__":
    main()
