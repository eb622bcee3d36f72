"""Test accuracy against training minutes for the default recipe (default_config.yaml).

    python benchmarks/time_to_accuracy.py --preprocess_path PRE [--eval_minutes 2,3,4,5,6]
        [--num_epochs 3] [--out FILE.json] [--key value ...]

Trains exactly as train.py does (same config, network, optimizer, schedule, seeds, bucketed
batches) in a plain loop, and whenever the training clock passes one of --eval_minutes it
scores the network on the whole test split. Only training steps count on the clock:
evaluation, compilation before the first step and data loading between epochs are left out
(the first step, which compiles, is timed separately and reported). The test split is used
for this curve only, never to select a model. Extra --key value pairs go to the config.
"""
import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("GLOG_v", "3")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preprocess_path", required=True)
    p.add_argument("--eval_minutes", default="2,3,4,5,6,8,10,12",
                   help="training minutes at which to score the test split")
    p.add_argument("--target", type=float, default=0.88)
    p.add_argument("--out", default="", help="also write the curve as JSON here")
    args, rest = p.parse_known_args()
    marks = sorted(float(m) * 60 for m in args.eval_minutes.split(","))

    import mindspore as ms
    import mindspore.dataset as ds

    from src import dataset as data_lib
    from src.lstm import build_net
    from src.model_utils.config import get_config
    from src.model_utils.runtime import init_runtime
    from src.pipeline import split_dataset
    from src.training import averaged_weights, build_train_step, dynamic_shapes, evaluate

    cfg = get_config(["--preprocess_path", args.preprocess_path] + rest)
    init_runtime(cfg)
    ms.set_seed(cfg.seed)
    ds.config.set_seed(cfg.seed)
    meta, words, table = data_lib.load_folder(cfg.preprocess_path)
    train = split_dataset(cfg, meta, "train", train=True)
    test = split_dataset(cfg, meta, "test")
    steps = train.get_dataset_size()
    net = build_net(cfg, len(words), table)
    train_net, _ = build_train_step(cfg, net, steps)
    dynamic_shapes(net, 2)
    train_net.set_train(True)

    clock, first_step, curve, step = 0.0, None, [], 0
    reached = None
    print(f"{steps} steps/epoch, {cfg.num_epochs} epochs, test split of {meta['counts']['test']} reviews",
          flush=True)
    for epoch in range(1, cfg.num_epochs + 1):
        for batch in train.create_tuple_iterator(num_epochs=1):
            t = time.perf_counter()
            train_net(*batch).asnumpy()
            dt = time.perf_counter() - t
            step += 1
            if first_step is None:
                first_step = dt  # graph compilation: reported, not counted
            else:
                clock += dt
            while marks and clock >= marks[0]:
                marks.pop(0)
                with averaged_weights(train_net):  # score what train.py would keep
                    m = evaluate(net, test)
                train_net.set_train(True)
                point = {"train_minutes": round(clock / 60, 2), "epoch": epoch, "step": step,
                         "test_acc": m["acc"], "eval_seconds": m["seconds"]}
                curve.append(point)
                if reached is None and m["acc"] >= args.target:
                    reached = point
                print(json.dumps(point), flush=True)
            if not marks:
                break
        if not marks:
            break
    print(f"compile (first step): {first_step:.1f}s; training clock: {clock / 60:.2f} min over {step} steps")
    if reached:
        print(f"test acc >= {args.target}: reached at {reached['train_minutes']} training minutes "
              f"(acc {reached['test_acc']:.4f})")
    else:
        print(f"test acc >= {args.target}: not reached at the eval points")
    if args.out:
        from src.fsutil import write_json
        write_json({"curve": curve, "compile_seconds": first_step, "target": args.target,
                    "reached": reached, "config": {k: v for k, v in cfg.to_dict().items()}}, args.out)


if __name__ == "__main__":
    main()
