"""Pieces of a training run: loss, optimizer, one training step, evaluation."""
import contextlib
import time

import mindspore as ms
import numpy as np
from mindspore import Tensor, nn, ops

from .lr_schedule import get_lr
from .metrics import binary_metrics


class NetWithLoss(nn.Cell):
    def __init__(self, net):
        super().__init__()
        self.net = net
        self.loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")

    def construct(self, ids, length, label):
        return self.loss(self.net(ids, length), label)


class TrainStep(nn.TrainOneStepCell):
    """One optimizer step, with optional global-norm gradient clipping.

    With ``batch_size``, the gradient of a smaller batch (a long bucket under
    max_batch_tokens) is scaled by rows / batch_size: every review then weighs the same
    in an epoch, whatever the size of the batch it landed in. The returned loss stays the
    batch mean.
    """

    def __init__(self, net_with_loss, optimizer, clip_norm=0.0, batch_size=None, ema_decay=0.0):
        super().__init__(net_with_loss, optimizer)
        self.clip_norm = float(clip_norm)
        self.batch_size = float(batch_size) if batch_size else 0.0
        self.ema_decay = float(ema_decay)
        if self.ema_decay > 0:
            # running averages of the weights, saved with the train cell as "ema.<name>"
            self.ema = self.weights.clone(prefix="ema", init="same")
            self.ema_map = ops.HyperMap()

    def construct(self, *inputs):
        loss = self.network(*inputs)
        sens = ops.fill(loss.dtype, loss.shape, 1.0)
        if self.batch_size > 0:
            rows = ops.cast(ops.dyn_shape(inputs[0])[0], loss.dtype)
            sens = sens * (rows / self.batch_size)
        grads = self.grad(self.network, self.weights)(*inputs, sens)
        grads = self.grad_reducer(grads)
        if self.clip_norm > 0:
            grads = ops.clip_by_global_norm(grads, self.clip_norm)
        loss = ops.depend(loss, self.optimizer(grads))
        if self.ema_decay > 0:
            # the usual warm-up: early averages forget the random start quickly
            step = ops.cast(self.optimizer.global_step, ms.float32).reshape(())
            decay = ops.minimum((1.0 + step) / (10.0 + step), self.ema_decay)
            loss = ops.depend(loss, self.ema_map(ops.partial(_ema_update, decay), self.ema, self.weights))
        return loss


def _ema_update(decay, average, weight):
    return ops.assign(average, average * decay + weight * (1.0 - decay))


def swap_ema(train_net):
    """Exchange the weights and their running averages (twice restores); False without EMA.

    Evaluation and the best checkpoint use the averages; training continues on the weights.
    """
    if getattr(train_net, "ema_decay", 0.0) <= 0:
        return False
    for average, weight in zip(train_net.ema, train_net.weights):
        kept = weight.asnumpy().copy()
        weight.set_data(Tensor(average.asnumpy().copy()))
        average.set_data(Tensor(kept))
    return True


@contextlib.contextmanager
def averaged_weights(train_net):
    """Inside the block the network holds the running averages (unchanged without EMA)."""
    swapped = swap_ema(train_net)
    try:
        yield swapped
    finally:
        if swapped:
            swap_ema(train_net)


def build_train_step(cfg, net, steps_per_epoch):
    """(train step cell, optimizer) of the config's recipe, ready for batches of any shape."""
    opt = build_optimizer(cfg, net, steps_per_epoch)
    train_net = TrainStep(NetWithLoss(net), opt, cfg.clip_grad_norm, cfg.batch_size, cfg.ema_decay)
    dynamic_shapes(train_net, 3)
    return train_net, opt


def dynamic_shapes(cell, n_inputs):
    """One compiled graph for every batch and length: ids (B, T), then (B,) columns."""
    specs = [Tensor(shape=[None, None], dtype=ms.int32)]
    specs += [Tensor(shape=[None], dtype=ms.int32)] * (n_inputs - 1)
    cell.set_inputs(*specs)


def learning_rates(cfg, steps_per_epoch):
    """Per-step schedule (list) or a constant, from config keys."""
    if not cfg.dynamic_lr:
        return cfg.learning_rate
    return get_lr(0, cfg.lr_init, cfg.lr_end, cfg.lr_max, cfg.warmup_epochs, cfg.num_epochs,
                  steps_per_epoch, cfg.lr_adjust_epoch)


def build_optimizer(cfg, net, steps_per_epoch):
    lr = learning_rates(cfg, steps_per_epoch)
    params = net.trainable_params()
    embed = [p for p in params if "embedding" in p.name]
    rest = [p for p in params if "embedding" not in p.name]
    groups = [{"params": rest}]
    if embed:
        scaled = (lr * cfg.embed_lr_scale).astype(np.float32) if isinstance(lr, np.ndarray) \
            else lr * cfg.embed_lr_scale
        # the embedding is a large sparse-ish table: no weight decay on it
        groups.append({"params": embed, "lr": Tensor(scaled) if isinstance(scaled, np.ndarray)
                       else scaled, "weight_decay": 0.0})
    lr_arg = Tensor(lr) if isinstance(lr, np.ndarray) else lr
    if cfg.optimizer == "momentum":
        return nn.Momentum(groups, learning_rate=lr_arg, momentum=cfg.momentum,
                           weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adamw":
        return nn.AdamWeightDecay(groups, learning_rate=lr_arg, weight_decay=cfg.weight_decay)
    return nn.Adam(groups, learning_rate=lr_arg, weight_decay=cfg.weight_decay)


def predict_dataset(net, dataset, progress=None):
    """(P(positive), labels) over every row of an (ids, length, label) dataset."""
    net.set_train(False)
    probs, labels = [], []
    softmax = ops.Softmax(axis=-1)
    for ids, length, label in dataset.create_tuple_iterator(num_epochs=1):
        p = softmax(net(ids, length)).asnumpy()
        probs.append(p[:, -1])
        labels.append(label.asnumpy())
        if progress is not None:
            progress.update(1)
    if progress is not None:
        progress.close()
    net.set_train(True)
    if not probs:
        return np.zeros(0, np.float32), np.zeros(0, np.int32)
    return np.concatenate(probs), np.concatenate(labels)


def evaluate(net, dataset, progress=None):
    t = time.time()
    probs, labels = predict_dataset(net, dataset, progress)
    metrics = binary_metrics(probs >= 0.5, labels)
    metrics["seconds"] = round(time.time() - t, 2)
    return metrics
