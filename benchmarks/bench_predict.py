"""Prediction speed of src.predictor.Predictor: checkpoint vs exported MINDIR vs onnxruntime.

    python benchmarks/bench_predict.py --preprocess_path DIR --ckpt_file CKPT --texts PATH
        [--mindir_file M] [--onnx_file O] [--num_reviews 10000] [--single 200] [--batch_size 64]

PATH is a folder of reviews (for example aclImdb/test: every *.txt below it, sorted) or a
file with one review per line. Without --mindir_file / --onnx_file the checkpoint is exported
into a temporary folder first (MINDIR with a dynamic batch; ONNX with batch 1 for single
reviews and batch --batch_size for files).

For each backend: load time, single-review latency (median and p90 of --single reviews sent one
by one, after a warm-up), and batched throughput over --num_reviews reviews, plus the ratio of
batched to one-by-one throughput and the agreement of every backend's labels with the
checkpoint's.
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("GLOG_v", "3")


def read_texts(path, limit):
    from src import imdb
    if os.path.isdir(path):
        files = []
        for base, _, names in os.walk(path):
            files.extend(os.path.join(base, n) for n in names if n.endswith(".txt"))
        files.sort()
        if not files:
            sys.exit(f"error: no *.txt reviews under {path!r}")
        texts = [imdb.read_review(f, 1 << 20)[0] for f in files[:limit]]
    else:
        with open(path, encoding="utf-8", errors="replace") as f:
            texts = [line.rstrip("\n") for line in f][:limit]
    if not texts:
        sys.exit(f"error: no reviews in {path!r}")
    # repeat a small corpus (the demo) up to the requested count
    reps = -(-limit // len(texts))
    return (texts * reps)[:limit]


def export_models(ckpt_file, meta, work, batch_size):
    """MINDIR + ONNX (batch 1 and batch_size) of the checkpoint's network."""
    from src import checkpoint as ckpt_lib
    from src import exporter
    from src.inference import config_from_checkpoint
    from src.restore import net_from_checkpoint
    params, info = ckpt_lib.read(ckpt_file)
    cfg = config_from_checkpoint(info, ckpt_file)
    net = net_from_checkpoint(cfg, params, info, meta, meta["vocab_size"], None, ckpt_file)
    max_len = meta["settings"]["max_len"]
    paths = (exporter.export_net(net, os.path.join(work, "lstm"), "MINDIR", max_len),
             exporter.export_net(net, os.path.join(work, "lstm_bs1"), "ONNX", max_len, 1),
             exporter.export_net(net, os.path.join(work, f"lstm_bs{batch_size}"), "ONNX", max_len, batch_size))
    for path in paths:  # what the predictor checks
        exporter.write_sidecar(dict(exporter.folder_facts(meta), num_classes=cfg.num_classes), path)
    return paths


def measure(name, make, texts, single):
    t = time.perf_counter()
    pred = make()
    load = time.perf_counter() - t
    for text in texts[:5]:  # warm-up: first shapes compile
        pred.predict([text])
    lat = []
    for text in texts[:single]:
        t = time.perf_counter()
        pred.predict([text])
        lat.append(time.perf_counter() - t)
    t = time.perf_counter()
    scores = pred.scores(texts)
    batched = time.perf_counter() - t
    lat = np.array(lat) * 1000
    return {"name": name, "load_s": load, "p50_ms": float(np.median(lat)), "p90_ms": float(np.percentile(lat, 90)),
            "one_by_one_rps": 1000.0 / float(lat.mean()), "batched_rps": len(texts) / batched,
            "batched_s": batched, "scores": scores}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preprocess_path", required=True)
    ap.add_argument("--ckpt_file", required=True)
    ap.add_argument("--texts", required=True)
    ap.add_argument("--mindir_file", default="")
    ap.add_argument("--onnx_file", default="", help="ONNX model for the batched run (and single reviews)")
    ap.add_argument("--num_reviews", type=int, default=10000)
    ap.add_argument("--single", type=int, default=200, help="reviews timed one by one")
    ap.add_argument("--batch_size", type=int, default=64)
    args = ap.parse_args()

    from src.predictor import Predictor
    texts = read_texts(args.texts, args.num_reviews)
    lengths = [len(t.split()) for t in texts]
    print(f"{len(texts)} reviews, {np.mean(lengths):.0f} words on average; batch {args.batch_size}")

    results = []
    ckpt = [None]

    def make_ckpt():
        ckpt[0] = Predictor(args.preprocess_path, ckpt_file=args.ckpt_file, batch_size=args.batch_size)
        return ckpt[0]
    results.append(measure("checkpoint", make_ckpt, texts, args.single))

    with tempfile.TemporaryDirectory() as work:
        mindir, onnx_single, onnx_batch = args.mindir_file, args.onnx_file, args.onnx_file
        if not (mindir and onnx_batch):
            m, o1, ob = export_models(args.ckpt_file, ckpt[0].meta, work, args.batch_size)
            mindir, onnx_single, onnx_batch = mindir or m, onnx_single or o1, onnx_batch or ob
        results.append(measure("MINDIR", lambda: Predictor(args.preprocess_path, mindir_file=mindir,
                                                           batch_size=args.batch_size), texts, args.single))
        try:
            import onnxruntime  # noqa: F401
        except ImportError:
            print("onnxruntime is not installed: ONNX skipped")
        else:
            r1 = measure("ONNX", lambda: Predictor(args.preprocess_path, onnx_file=onnx_single), texts[:args.single],
                         args.single)
            rb = measure("ONNX", lambda: Predictor(args.preprocess_path, onnx_file=onnx_batch), texts, 5)
            r1.update(batched_rps=rb["batched_rps"], batched_s=rb["batched_s"], scores=rb["scores"])
            results.append(r1)

    base = results[0]
    print(f"\n{'backend':<11}{'load s':>8}{'1 review p50 ms':>17}{'p90 ms':>9}{'1-by-1 rev/s':>14}"
          f"{'batched rev/s':>15}{'batched/1-by-1':>16}{'labels = ckpt':>15}{'max |dscore|':>14}")
    for r in results:
        agree = float(np.mean((r["scores"] >= 0.5) == (base["scores"] >= 0.5)))
        diff = float(np.max(np.abs(r["scores"] - base["scores"])))
        print(f"{r['name']:<11}{r['load_s']:>8.2f}{r['p50_ms']:>17.2f}{r['p90_ms']:>9.2f}"
              f"{r['one_by_one_rps']:>14.1f}{r['batched_rps']:>15.1f}{r['batched_rps'] / r['one_by_one_rps']:>16.1f}"
              f"{agree:>15.4f}{diff:>14.2e}")
    print("\nratios to the checkpoint (higher = faster):")
    for r in results[1:]:
        print(f"  {r['name']}: single review {base['p50_ms'] / r['p50_ms']:.2f}x, "
              f"batched {r['batched_rps'] / base['batched_rps']:.2f}x")


if __name__ == "__main__":
    main()
