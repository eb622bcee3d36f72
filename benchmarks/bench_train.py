"""Training throughput: this project's recipe vs the same network in PyTorch, in one run.

    python benchmarks/bench_train.py --preprocess_path PRE [--steps 150] [--warmup 5] [--key value ...]

Each measurement runs in its own process (so thread pools and memory peaks do not mix):
  ours/recipe  MindSpore, default_config.yaml: bucketed, token-capped batches of real reviews
  ours/fixed   MindSpore, same network, every batch padded to --fixed_len (no bucketing)
  torch/fixed  PyTorch CPU, the reference network (embedding 50 -> 2-layer biLSTM 100 -> dense)
               on batches of --fixed_len tokens, Adam, same batch size
Extra --key value pairs override default_config.yaml for ours/*. Compile/warm-up steps are
excluded. Prints samples/s, peak RSS and the ratios vs torch/fixed.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(args, fixed):
    sys.path.insert(0, ROOT)
    import mindspore as ms
    import numpy as np

    from src import dataset as data_lib
    from src.lstm import build_net
    from src.model_utils.config import get_config
    from src.model_utils.runtime import init_runtime
    from src.pipeline import split_dataset
    from src.training import build_train_step

    cfg = get_config(["--preprocess_path", args.preprocess_path, "--batch_size", str(args.batch_size)]
                     + args.config)
    init_runtime(cfg)
    ms.set_seed(1)
    meta, words, table = data_lib.load_folder(cfg.preprocess_path)
    net = build_net(cfg, len(words), table)
    train_net, _ = build_train_step(cfg, net, 1000)
    train_net.set_train(True)
    if fixed:
        rng = np.random.RandomState(0)
        batches = ((ms.Tensor(rng.randint(2, len(words), (args.batch_size, args.fixed_len)), ms.int32),
                    ms.Tensor(np.full(args.batch_size, args.fixed_len), ms.int32),
                    ms.Tensor(rng.randint(0, 2, args.batch_size), ms.int32))
                   for _ in range(args.warmup + args.steps))
    else:
        data = split_dataset(cfg, meta, "train", train=True)
        batches = data.create_tuple_iterator(num_epochs=1)
    return time_steps(lambda b: train_net(*b).asnumpy(), batches, args, len_of=lambda b: b[0].shape)


def run_torch(args):
    import numpy as np
    import torch
    from torch import nn

    torch.manual_seed(1)
    torch.set_num_threads(len(os.sched_getaffinity(0)))

    class Reference(nn.Module):
        def __init__(self, vocab):
            super().__init__()
            self.embedding = nn.Embedding(vocab, 50)
            self.lstm = nn.LSTM(50, 100, num_layers=2, bidirectional=True, batch_first=True)
            self.decoder = nn.Linear(4 * 100, 2)

        def forward(self, ids):
            out, _ = self.lstm(self.embedding(ids))
            return self.decoder(torch.cat((out[:, 0], out[:, -1]), 1))

    vocab = args.vocab_size
    net = Reference(vocab)
    opt = torch.optim.Adam(net.parameters(), lr=0.002)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.RandomState(0)

    def step(b):
        opt.zero_grad()
        loss = loss_fn(net(b[0]), b[1])
        loss.backward()
        opt.step()
        return loss.item()

    batches = ((torch.from_numpy(rng.randint(2, vocab, (args.batch_size, args.fixed_len))),
                torch.from_numpy(rng.randint(0, 2, args.batch_size)))
               for _ in range(args.warmup + args.steps))
    return time_steps(step, batches, args, len_of=lambda b: tuple(b[0].shape))


def time_steps(step, batches, args, len_of):
    samples, tokens, t0 = 0, 0, None
    for i, b in enumerate(batches):
        if i == args.warmup:
            t0 = time.perf_counter()
        step(b)
        if i >= args.warmup:
            shape = len_of(b)
            samples += shape[0]
            tokens += shape[0] * shape[1]
        if i + 1 >= args.warmup + args.steps:
            break
    seconds = time.perf_counter() - t0
    return {"samples_per_s": samples / seconds, "padded_len": tokens / max(1, samples),
            "steps": args.steps, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preprocess_path", required=True)
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch_size", type=int, default=64)
    p.add_argument("--fixed_len", type=int, default=500)
    p.add_argument("--vocab_size", type=int, default=40000)
    p.add_argument("--only", choices=["ours/recipe", "ours/fixed", "torch/fixed"])
    args, args.config = p.parse_known_args()
    if args.only:
        res = run_torch(args) if args.only == "torch/fixed" else run_ours(args, args.only == "ours/fixed")
        print("RESULT " + json.dumps(res))
        return
    results = {}
    for part in ("torch/fixed", "ours/fixed", "ours/recipe"):
        cmd = [sys.executable, os.path.abspath(__file__), "--only", part] + \
              [a for a in sys.argv[1:] if a != "--only"]
        out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, GLOG_v="3"))
        lines = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
        if out.returncode or not lines:
            sys.exit(f"error: {part} failed:\n{out.stderr[-2000:]}")
        results[part] = json.loads(lines[-1][7:])
        r = results[part]
        print(f"{part:12s} {r['samples_per_s']:7.1f} samples/s  mean padded length {r['padded_len']:5.0f}  "
              f"peak RSS {r['peak_rss_mb']:6.0f} MB", flush=True)
    base = results["torch/fixed"]["samples_per_s"]
    print(f"ratio ours/fixed  vs torch/fixed: {results['ours/fixed']['samples_per_s'] / base:.2f}x")
    print(f"ratio ours/recipe vs torch/fixed: {results['ours/recipe']['samples_per_s'] / base:.2f}x")


if __name__ == "__main__":
    main()
