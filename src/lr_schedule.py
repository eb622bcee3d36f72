"""The seed's learning-rate schedule: linear warmup, cosine decay, then constant."""
import math

import numpy as np


def get_lr(global_step, lr_init, lr_end, lr_max, warmup_epochs, total_epochs, steps_per_epoch,
           lr_adjust_epoch):
    """Per-step learning rates from ``global_step`` to the end of training (float32 array).

    Steps before ``warmup_epochs`` rise linearly from lr_init to lr_max; then a half cosine
    falls from lr_max to lr_end at ``lr_adjust_epoch``; later steps stay at lr_end.
    """
    total = steps_per_epoch * total_epochs
    warmup = steps_per_epoch * warmup_epochs
    adjust = steps_per_epoch * lr_adjust_epoch
    lrs = np.empty(total, np.float32)
    for i in range(total):
        if i < warmup:
            lr = lr_init + (lr_max - lr_init) * i / warmup
        elif i < adjust:
            frac = (i - warmup) / (adjust - warmup)
            lr = lr_end + (lr_max - lr_end) * (1.0 + math.cos(math.pi * frac)) / 2.0
        else:
            lr = lr_end
        lrs[i] = lr
    return lrs[global_step:]
