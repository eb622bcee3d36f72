"""Data-parallel training throughput on CPU: 1 worker vs N workers, through the CPU launcher.

    python benchmarks/bench_distributed.py ACLIMDB_DIR GLOVE_DIR [--workers 1,2] [--epochs 1]
        [--out DIR] [--timeout SECONDS] [-- train.py options ...]

Each worker count runs scripts/run_distribute_train_cpu.sh (msrun, --distribute true, the
machine's cores split between the workers) on the same preprocess folder (built by the first
run, reused after), with evaluation off, one run after the other. Throughput is the training
samples of all workers per second of training epoch, from rank 0's history.json (each step
trains batch_size reviews on every worker); the first epoch includes graph compilation, so
with --epochs > 1 the later epochs are averaged. Prints a table and the ratio to 1 worker.
Run it alone on the machine: anything else running skews the numbers.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAUNCHER = os.path.join(ROOT, "scripts", "run_distribute_train_cpu.sh")


def parse(argv):
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("aclimdb_dir")
    p.add_argument("glove_dir")
    p.add_argument("--workers", default="1,2", help="worker counts to compare, comma-separated")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--out", default=os.path.join(ROOT, "bench_distributed_out"),
                   help="preprocess folder, checkpoints and copies of the logs go here")
    p.add_argument("--timeout", type=int, default=0, help="seconds per run (LSTM_TIMEOUT), 0 = none")
    args = p.parse_args(argv)
    args.extra = extra
    try:
        args.counts = [int(w) for w in args.workers.split(",")]
    except ValueError:
        p.error(f"--workers expects comma-separated integers, got {args.workers!r}")
    if not args.counts or min(args.counts) < 1 or args.epochs < 1:
        p.error("--workers and --epochs must be positive")
    return args


def run(args, workers):
    out = os.path.abspath(args.out)
    ckpt = os.path.join(out, f"ckpt_{workers}w")
    cmd = [LAUNCHER, str(workers), args.aclimdb_dir, args.glove_dir,
           f"--preprocess_path={os.path.join(out, 'preprocess')}", f"--ckpt_path={ckpt}",
           f"--num_epochs={args.epochs}", "--run_eval=false", *args.extra]
    env = dict(os.environ)
    env.pop("LSTM_DUMP_PARAMS", None)
    if args.timeout:
        env["LSTM_TIMEOUT"] = str(args.timeout)
    log = os.path.join(out, f"launcher_{workers}w.txt")
    print(f"--- {workers} worker(s): {' '.join(cmd)}\n    output: {log}", flush=True)
    start = time.time()
    with open(log, "w", encoding="utf-8") as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, env=env)
    wall = time.time() - start
    if rc != 0:
        with open(log, encoding="utf-8", errors="replace") as f:
            tail = f.read()[-2000:]
        sys.exit(f"error: the {workers}-worker run failed (exit code {rc}); end of {log}:\n{tail}")
    with open(os.path.join(ckpt, "history.json"), encoding="utf-8") as f:
        epochs = json.load(f)["epochs"]
    timed = epochs[1:] if len(epochs) > 1 else epochs
    per_rank = sum(e["samples_per_s"] for e in timed) / len(timed)
    return {"workers": workers, "wall_s": wall, "epoch_s": sum(e["train_seconds"] for e in timed) / len(timed),
            "samples_per_s": per_rank * workers, "loss": epochs[-1]["loss"]}


def main(argv):
    args = parse(argv)
    for path, what in ((args.aclimdb_dir, "aclImdb folder"), (args.glove_dir, "GloVe path")):
        if not os.path.exists(path):
            sys.exit(f"error: {what} {path!r} does not exist")
    os.makedirs(args.out, exist_ok=True)
    results = [run(args, w) for w in args.counts]
    base = next((r for r in results if r["workers"] == 1), results[0])
    print()
    print(f"{'workers':>7} {'epoch s':>9} {'samples/s':>10} {'vs ' + str(base['workers']) + 'w':>7} "
          f"{'last loss':>9} {'wall s':>8}")
    for r in results:
        print(f"{r['workers']:>7} {r['epoch_s']:>9.1f} {r['samples_per_s']:>10.1f} "
              f"{r['samples_per_s'] / base['samples_per_s']:>7.2f} {r['loss']:>9.4f} {r['wall_s']:>8.1f}")
    print(f"(cores: {os.cpu_count()}; samples/s counts all workers; epochs timed: "
          f"{'2..' + str(args.epochs) if args.epochs > 1 else '1, with compilation'})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
