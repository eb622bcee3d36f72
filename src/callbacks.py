"""Training callbacks: progress and the seed's loss line, evaluation with best checkpoint, history."""
import os
import sys
import time

import numpy as np
from mindspore.train import Callback

from . import checkpoint as ckpt_lib
from .fsutil import write_json
from .progress import Progress
from .model_utils.runtime import release_free_memory
from .training import averaged_weights, evaluate

# steps between hand-backs of freed allocator memory (see release_free_memory): every step
# costs ~10% speed; every 20 steps cost nothing measurable and cut the peak of a full run
TRIM_EVERY = 20


def _fmt_time(seconds):
    seconds = int(max(0, seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


def _loss_value(outputs):
    out = outputs[0] if isinstance(outputs, (tuple, list)) else outputs
    return float(out.asnumpy()) if hasattr(out, "asnumpy") else float(out)


class ProgressMonitor(Callback):
    """Step progress with samples/s and ETAs; the seed's `epoch: N step: M, loss is X` per epoch.

    On a terminal the progress line updates in place; in a log file it prints plain lines
    every ``log_interval`` steps.
    """

    def __init__(self, steps_per_epoch, batch_size, num_epochs, log_interval=50, stream=None):
        super().__init__()
        self.steps = steps_per_epoch
        self.batch = batch_size
        self.epochs = num_epochs
        self.interval = max(1, log_interval)
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.losses = []
        self.epoch_loss = {}
        self.epoch_time = {}
        self.samples_per_s = {}

    def on_train_epoch_begin(self, run_context):
        self.t0 = time.time()
        self.losses = []
        self.samples = 0

    def _batch_rows(self, cb):
        """Rows of this step's batch: with max_batch_tokens, long buckets have fewer."""
        batch = getattr(cb, "train_dataset_element", None)
        try:
            return int(batch[0].shape[0])
        except (TypeError, IndexError, AttributeError):
            return self.batch

    def on_train_step_end(self, run_context):
        cb = run_context.original_args()
        self.losses.append(_loss_value(cb.net_outputs))
        self.samples += self._batch_rows(cb)
        step = (cb.cur_step_num - 1) % self.steps + 1
        if step % self.interval and step != self.steps:
            return
        elapsed = time.time() - self.t0
        rate = self.samples / elapsed if elapsed else 0.0
        left_epoch = elapsed / step * (self.steps - step)
        left_run = left_epoch + (self.epochs - cb.cur_epoch_num) * elapsed / step * self.steps
        line = (f"epoch {cb.cur_epoch_num}/{self.epochs} step {step}/{self.steps} "
                f"loss {np.mean(self.losses[-self.interval:]):.4f} {rate:.1f} samples/s "
                f"ETA epoch {_fmt_time(left_epoch)} run {_fmt_time(left_run)}")
        if self.tty:
            self.stream.write("\r" + line.ljust(100))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def on_train_epoch_end(self, run_context):
        cb = run_context.original_args()
        elapsed = time.time() - self.t0
        if self.tty:
            self.stream.write("\n")
        self.epoch_loss[cb.cur_epoch_num] = float(np.mean(self.losses)) if self.losses else float("nan")
        self.epoch_time[cb.cur_epoch_num] = elapsed
        self.samples_per_s[cb.cur_epoch_num] = self.samples / elapsed if elapsed else 0.0
        last = self.losses[-1] if self.losses else float("nan")
        self.stream.write(f"epoch: {cb.cur_epoch_num} step: {len(self.losses)}, loss is {last:.7f}\n")
        self.stream.write(f"epoch time: {elapsed:.1f}s, mean loss {self.epoch_loss[cb.cur_epoch_num]:.4f}, "
                          f"{self.samples_per_s[cb.cur_epoch_num]:.1f} samples/s\n")
        self.stream.flush()


class MemoryTrim(Callback):
    """Every ``every`` steps, hand freed allocator memory back to the system."""

    def __init__(self, every=TRIM_EVERY):
        super().__init__()
        self.every = every

    def on_train_step_end(self, run_context):
        if run_context.original_args().cur_step_num % self.every == 0:
            release_free_memory()


class EpochEnd(Callback):
    """Per epoch: evaluate, keep the best checkpoint, save resumable state, write history.json."""

    def __init__(self, cfg, net, train_net, eval_data, out_dir, info, progress, lr_at_step,
                 steps_per_epoch, history=None, best=None, log=print):
        super().__init__()
        self.cfg, self.net, self.train_net = cfg, net, train_net
        self.eval_data = eval_data
        self.out_dir, self.info = out_dir, info
        self.progress = progress
        self.lr_at_step = lr_at_step
        self.steps = steps_per_epoch
        self.history = history or []
        self.best = best if best is not None else -1.0
        self.log = log

    def on_train_epoch_end(self, run_context):
        cb = run_context.original_args()
        epoch = cb.cur_epoch_num
        # the optimizer's own position: after a resume it shows the schedule continued
        step = optimizer_step(self.train_net)
        step = epoch * self.steps if step is None else step
        record = {"epoch": epoch, "loss": self.progress.epoch_loss.get(epoch),
                  "global_step": step, "lr": float(self.lr_at_step(step - 1)),
                  "train_seconds": round(self.progress.epoch_time.get(epoch, 0.0), 2),
                  "samples_per_s": round(self.progress.samples_per_s.get(epoch, 0.0), 1)}
        due = (self.cfg.run_eval and self.eval_data is not None and epoch >= self.cfg.eval_start_epoch
               and (epoch - self.cfg.eval_start_epoch) % self.cfg.eval_interval == 0)
        if due:
            # evaluate, and keep as the best checkpoint, the averaged weights
            with averaged_weights(self.train_net):
                release_free_memory()
                metrics = evaluate(self.net, self.eval_data, Progress(
                    self.eval_data.get_dataset_size(), f"epoch {epoch} eval on {self.cfg.eval_split}", "batches"))
                record["eval"] = {"split": self.cfg.eval_split, **metrics}
                self.log(f"epoch {epoch}: {self.cfg.eval_split} acc {metrics['acc']:.4f} "
                         f"f1 {metrics['f1']:.4f} ({metrics['seconds']:.1f}s)")
                if metrics["acc"] > self.best:
                    self.best = metrics["acc"]
                    path = os.path.join(self.out_dir, "lstm_best_acc.ckpt")
                    ckpt_lib.save(self.net, path, self.info, {"epoch_num": epoch, "best_metric": self.best})
                    self.log(f"epoch {epoch}: new best {self.cfg.eval_split} acc {self.best:.4f}, saved {path}")
        release_free_memory()
        self.history.append(record)
        # history first, then the checkpoint that marks the epoch done: a kill between the two
        # leaves an extra history entry that --resume drops (it keeps epochs <= the checkpoint's)
        write_json({"epochs": self.history, "best_acc": self.best}, os.path.join(self.out_dir, "history.json"))
        # the whole train cell (weights, optimizer moments, step) so --resume continues exactly
        ckpt_lib.save(self.train_net, os.path.join(self.out_dir, "lstm_last.ckpt"), self.info,
                      {"epoch_num": epoch, "best_metric": self.best})
        draw_curves(self.history, self.out_dir, self.log)


def optimizer_step(train_net):
    """The optimizer's global step (steps taken so far), or None if it has none."""
    opt = getattr(train_net, "optimizer", None)
    step = getattr(opt, "global_step", None)
    if step is None:
        return None
    return int(np.asarray(step.asnumpy()).reshape(-1)[0])


def draw_curves(history, out_dir, log=print):
    """curves.png next to history.json; a plotting problem never stops training."""
    try:
        from .plots import plot_curves
        plot_curves(history, os.path.join(out_dir, "curves.png"),
                    f"run {os.path.basename(os.path.abspath(out_dir))}: loss and accuracy")
    except Exception as e:  # noqa: BLE001 - e.g. matplotlib missing or a read-only folder
        log(f"warning: curves.png not written: {e}")
