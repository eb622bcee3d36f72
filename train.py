"""Train SentimentNet on aclImdb: python train.py [--config_path FILE] [--key value ...]."""
import os
import sys
import time

os.environ.setdefault("GLOG_v", "3")  # MindSpore's C++ logs: errors only unless asked for

from src.cli import run  # noqa: E402
from src.model_utils.config import get_config, save_config  # noqa: E402


def main(argv):
    cfg = get_config(argv, prog="train.py", description=__doc__)
    if cfg.print_config:
        print(cfg)
        return 0
    # bad environment values and unwritable output folders fail here, before any work
    from src.fsutil import check_output_dir, remove_stale
    from src.model_utils.device_adapter import check_env
    check_env(cfg)
    check_output_dir(cfg.ckpt_path, "ckpt_path")
    if cfg.preprocess:
        check_output_dir(cfg.preprocess_path, "preprocess_path")
    import mindspore as ms
    import mindspore.dataset as ds
    from mindspore.train import Model

    from src import checkpoint as ckpt_lib
    from src import distributed
    from src.callbacks import EpochEnd, MemoryTrim, ProgressMonitor
    from src.lstm import build_net
    from src.model_utils.device_adapter import get_device_id
    from src.model_utils.moxing_adapter import moxing_wrapper
    from src.model_utils.runtime import init_runtime
    from src.pipeline import ensure_preprocessed, pad_table, split_dataset
    from src.training import build_train_step, dynamic_shapes, learning_rates

    @moxing_wrapper(cfg)
    def train():
        t_start = time.time()
        rank, group = init_runtime(cfg, get_device_id(cfg))
        ms.set_seed(cfg.seed)
        ds.config.set_seed(cfg.seed)
        log = print if rank == 0 else (lambda *a, **k: None)
        sync = distributed.barrier if group > 1 else None
        meta, words, table = ensure_preprocessed(cfg, rank, log, sync=sync)
        if group > 1:
            distributed.check_same_folder(meta, rank)
        out_dir = cfg.ckpt_path
        if rank == 0:
            os.makedirs(out_dir, exist_ok=True)
            remove_stale(out_dir)  # *.tmp-PID files of a killed run
            save_config(cfg, os.path.join(out_dir, "config.yaml"))
        shard = None
        if group > 1:
            # each rank its own shard, all with the same number of steps (see src/distributed.py)
            train_data, shard, shard_info = distributed.create_train_shard(
                cfg.preprocess_path, cfg.batch_size, meta["settings"]["max_len"], cfg.bucket_width,
                cfg.seed, rank, group)
            print(distributed.describe(shard_info, cfg.batch_size), flush=True)
        else:
            train_data = split_dataset(cfg, meta, "train", train=True)
        steps = train_data.get_dataset_size()
        if steps == 0:
            raise ValueError(f"batch_size {cfg.batch_size} is larger than the training split allows "
                             f"({meta['counts']['train']} reviews): pass a smaller --batch_size")
        eval_data = None
        if cfg.run_eval and rank == 0 and cfg.eval_split in meta["counts"]:
            eval_data = split_dataset(cfg, meta, cfg.eval_split)
        net = build_net(cfg, len(words), pad_table(cfg, table))
        info = ckpt_lib.provenance(cfg, meta)
        if cfg.pre_trained:
            params, pinfo = ckpt_lib.read(cfg.pre_trained)
            ckpt_lib.check(pinfo, cfg, meta, cfg.pre_trained)
            ckpt_lib.load_into(net, params, cfg.pre_trained)
            log(f"loaded pre-trained weights from {cfg.pre_trained}")
        train_net, opt = build_train_step(cfg, net, steps)
        dynamic_shapes(net, 2)
        initial_epoch, history, best = 0, [], -1.0
        last = os.path.join(out_dir, "lstm_last.ckpt")
        if cfg.resume and os.path.isfile(last):
            params, rinfo = ckpt_lib.read(last)
            ckpt_lib.check(rinfo, cfg, meta, last)
            # weights, Adam moments and beta powers come back; the learning-rate schedule is
            # rebuilt from the config (its length follows num_epochs, which may have grown)
            ckpt_lib.load_into(train_net, params, last, keep_own=("learning_rate",))
            initial_epoch = int(rinfo.get("epoch_num", 0))
            best = float(rinfo.get("best_metric", -1.0))
            history = _read_history(out_dir, initial_epoch)
            _set_global_step(opt, initial_epoch * steps, log)
            log(f"resumed from {last} after epoch {initial_epoch}")
            if shard is not None:
                shard.epoch = initial_epoch  # the batches an uninterrupted run would see
        if group > 1:
            distributed.check_agree([initial_epoch], rank, "epoch to resume after",
                                    "--resume needs ckpt_path on storage all machines share")
        if initial_epoch >= cfg.num_epochs:
            log(f"nothing to do: {initial_epoch} of {cfg.num_epochs} epochs are done")
            return
        lr = learning_rates(cfg, steps)
        lr_at = (lambda s: lr[min(s, len(lr) - 1)]) if not isinstance(lr, float) else (lambda s: lr)
        progress = ProgressMonitor(steps, cfg.batch_size, cfg.num_epochs, cfg.log_interval)
        callbacks = [progress, MemoryTrim()]
        if rank == 0:
            from mindspore.train import CheckpointConfig, ModelCheckpoint
            ck_cfg = CheckpointConfig(save_checkpoint_steps=cfg.save_checkpoint_steps,
                                      keep_checkpoint_max=cfg.keep_checkpoint_max,
                                      append_info=[info])
            callbacks.append(ModelCheckpoint(prefix="lstm", directory=out_dir, config=ck_cfg))
            callbacks.append(EpochEnd(cfg, net, train_net, eval_data, out_dir, info, progress, lr_at,
                                      steps, history, best, log))
        if cfg.enable_profiling and rank == 0:
            from src.profiling import StepProfiler
            callbacks.append(StepProfiler(os.path.join(out_dir, "profile")))
        log(f"training: {meta['counts']['train']} reviews, {steps} steps/epoch, batch {cfg.batch_size}"
            + (f" per worker x {group} workers" if group > 1 else "")
            + f", {cfg.num_epochs} epochs on {cfg.device_target}")
        model = Model(train_net)
        model.train(cfg.num_epochs, train_data, callbacks=callbacks, dataset_sink_mode=False,
                    initial_epoch=initial_epoch)
        distributed.dump_params(train_net, rank)
        if rank == 0:
            _summary(out_dir, time.time() - t_start, log)

    train()
    return 0


def _set_global_step(opt, step, log):
    """Put the optimizer at ``step`` so the schedule continues where the finished epochs end.

    The checkpoint's own step equals this unless batch_size or the data changed since.
    """
    import mindspore as ms
    import numpy as np
    saved = int(np.asarray(opt.global_step.asnumpy()).reshape(-1)[0])
    if saved != step:
        log(f"warning: checkpoint's optimizer step {saved} != {step} (epochs x steps per epoch); "
            f"continuing the learning-rate schedule at {step}")
    opt.global_step.set_data(ms.Tensor(np.array([step], np.int32)))


def _read_history(out_dir, epochs):
    import json
    try:
        with open(os.path.join(out_dir, "history.json"), encoding="utf-8") as f:
            return [e for e in json.load(f)["epochs"] if e["epoch"] <= epochs]
    except (OSError, ValueError, KeyError):
        return []


def _summary(out_dir, seconds, log):
    import json
    import resource
    with open(os.path.join(out_dir, "history.json"), encoding="utf-8") as f:
        hist = json.load(f)
    evals = [e for e in hist["epochs"] if "eval" in e]
    best = max(evals, key=lambda e: e["eval"]["acc"]) if evals else None
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log("=" * 60)
    if best:
        log(f"best epoch: {best['epoch']}  {best['eval']['split']} acc {best['eval']['acc']:.4f}")
        log(f"best checkpoint: {os.path.join(out_dir, 'lstm_best_acc.ckpt')}")
    log(f"last checkpoint: {os.path.join(out_dir, 'lstm_last.ckpt')}")
    log(f"total time: {seconds:.1f}s  peak memory: {peak_mb:.0f} MB")
    log("=" * 60)


if __name__ == "__main__":
    sys.exit(run(main))
