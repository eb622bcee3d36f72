"""Preprocessing time: ours (cold and unchanged) vs the model zoo's way, measured in one run.

    python benchmarks/bench_preprocess.py --aclimdb_path DIR --glove_path FILE [--work_dir DIR]

ours/cold       src.dataset.preprocess into an empty folder
ours/unchanged  the same call again (inputs and settings unchanged: the folder is reused)
seed-way        the model zoo's steps: whitespace split, a vocabulary from a set, gensim's
                word2vec loader for GloVe, a full-vocabulary table written with np.savetxt,
                every review padded to 500 and written to MindRecord
"""
import argparse
import os
import shutil
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def ours(args, out):
    from src import dataset as data_lib
    from src.model_utils.config import get_config
    cfg = get_config(["--glove_path", args.glove_path])
    settings = data_lib.preprocess_settings(cfg)
    t = time.perf_counter()
    data_lib.preprocess(args.aclimdb_path, args.glove_path, out, settings, log=lambda *a: None)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    data_lib.preprocess(args.aclimdb_path, args.glove_path, out, settings, log=lambda *a: None)
    return cold, time.perf_counter() - t


def seed_way(args, out):
    """The reference pipeline's steps, kept to what costs time (not a copy of its code)."""
    from gensim.models import KeyedVectors
    from mindspore.mindrecord import FileWriter
    t = time.perf_counter()
    os.makedirs(out, exist_ok=True)
    splits = {}
    for split in ("train", "test"):
        reviews, labels = [], []
        for label, name in enumerate(("neg", "pos")):
            folder = os.path.join(args.aclimdb_path, split, name)
            for f in sorted(os.listdir(folder)):
                with open(os.path.join(folder, f), encoding="utf-8", errors="replace") as fh:
                    reviews.append(fh.read().replace("<br />", " ").lower().split(" "))
                labels.append(label)
        splits[split] = (reviews, labels)
    words = set()
    for reviews, _ in splits.values():
        for r in reviews:
            words.update(r)
    index = {w: i + 1 for i, w in enumerate(words)}
    vectors = KeyedVectors.load_word2vec_format(args.glove_path, binary=False, no_header=True)
    table = np.zeros((len(index) + 1, vectors.vector_size), np.float32)
    for w, i in index.items():
        if w in vectors.key_to_index:
            table[i] = vectors[w]
    np.savetxt(os.path.join(out, "weight.txt"), table)
    for split, (reviews, labels) in splits.items():
        writer = FileWriter(os.path.join(out, f"aclImdb_{split}.mindrecord"), 1, overwrite=True)
        writer.add_schema({"feature": {"type": "int32", "shape": [-1]}, "label": {"type": "int32"}}, "seed")
        rows = []
        for r, y in zip(reviews, labels):
            ids = np.zeros(500, np.int32)
            enc = [index.get(w, 0) for w in r][:500]
            ids[:len(enc)] = enc
            rows.append({"feature": ids, "label": y})
        writer.write_raw_data(rows)
        writer.commit()
    return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--aclimdb_path", required=True)
    p.add_argument("--glove_path", required=True, help="the glove.6B.50d.txt file")
    p.add_argument("--work_dir", default="/tmp/bench_preprocess")
    args = p.parse_args()
    shutil.rmtree(args.work_dir, ignore_errors=True)
    cold, warm = ours(args, os.path.join(args.work_dir, "ours"))
    print(f"ours/cold       {cold:6.1f} s", flush=True)
    print(f"ours/unchanged  {warm:6.1f} s", flush=True)
    seed = seed_way(args, os.path.join(args.work_dir, "seed"))
    size = os.path.getsize(os.path.join(args.work_dir, "seed", "weight.txt")) / 1e6
    print(f"seed-way        {seed:6.1f} s  (weight.txt {size:.0f} MB)")
    print(f"ratio seed-way / ours/cold: {seed / cold:.2f}x")
    shutil.rmtree(args.work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
