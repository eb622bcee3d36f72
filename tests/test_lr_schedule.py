import math

import numpy as np

from src.lr_schedule import get_lr


def test_warmup_cosine_constant():
    # 2 steps/epoch, 1 warmup epoch, cosine until epoch 3, 4 epochs in all
    lr = get_lr(0, lr_init=0.0, lr_end=0.01, lr_max=0.1, warmup_epochs=1, total_epochs=4,
                steps_per_epoch=2, lr_adjust_epoch=3)
    cos = lambda f: 0.01 + 0.09 * (1 + math.cos(math.pi * f)) / 2  # noqa: E731
    expected = [0.0, 0.05, cos(0.0), cos(0.25), cos(0.5), cos(0.75), 0.01, 0.01]
    np.testing.assert_allclose(lr, expected, rtol=1e-6)
    assert lr.dtype == np.float32


def test_starts_at_global_step():
    full = get_lr(0, 0.01, 0.001, 0.1, 1, 5, 10, 4)
    np.testing.assert_array_equal(get_lr(17, 0.01, 0.001, 0.1, 1, 5, 10, 4), full[17:])
    assert len(full) == 50


def test_no_warmup():
    lr = get_lr(0, 0.5, 0.0, 1.0, 0, 1, 4, 1)
    np.testing.assert_allclose(lr, [1.0, 0.5 + 0.5 * math.cos(math.pi / 4), 0.5, 0.5 - 0.5 * math.cos(math.pi / 4)],
                               rtol=1e-6, atol=1e-7)
