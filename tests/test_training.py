import mindspore as ms
import numpy as np
from mindspore import Tensor, nn

from src.training import NetWithLoss, TrainStep


class _Tiny(nn.Cell):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10, 3, embedding_table="ones")
        self.dense = nn.Dense(3, 2, weight_init="ones", bias_init="zeros")

    def construct(self, ids, lengths):
        return self.dense(self.embedding(ids).mean(1))


def _delta(batch_size, rows):
    net = _Tiny()
    before = net.dense.weight.asnumpy().copy()
    step = TrainStep(NetWithLoss(net), nn.SGD(net.trainable_params(), learning_rate=1.0),
                     batch_size=batch_size)
    ids = Tensor(np.arange(rows * 4).reshape(rows, 4) % 10, ms.int32)
    labels = Tensor(np.zeros(rows, np.int32))
    loss = step(ids, Tensor(np.full(rows, 4, np.int32)), labels).asnumpy()
    return net.dense.weight.asnumpy() - before, float(loss)


def test_small_batches_get_a_proportionally_smaller_step():
    """A batch of 2 rows with batch_size 8 moves the weights a quarter as far as the same
    batch without scaling; the loss it reports is the same batch mean either way."""
    plain, loss_plain = _delta(None, 2)
    scaled, loss_scaled = _delta(8, 2)
    assert np.abs(plain).max() > 0
    np.testing.assert_allclose(scaled, plain / 4, rtol=1e-5, atol=1e-7)
    assert abs(loss_plain - loss_scaled) < 1e-6
    full, _ = _delta(2, 2)  # a full batch is not scaled
    np.testing.assert_allclose(full, plain, rtol=1e-5, atol=1e-7)


def test_ema_tracks_the_weights_and_swaps_back():
    from src.training import swap_ema
    net = _Tiny()
    step = TrainStep(NetWithLoss(net), nn.SGD(net.trainable_params(), learning_rate=1.0), ema_decay=0.5)
    start = net.dense.weight.asnumpy().copy()
    ids = Tensor(np.arange(8).reshape(2, 4), ms.int32)
    lengths, labels = Tensor(np.full(2, 4, np.int32)), Tensor(np.zeros(2, np.int32))
    step(ids, lengths, labels)
    w1 = net.dense.weight.asnumpy().copy()
    ema = dict((p.name, p) for p in step.ema)
    avg = ema["ema.net.dense.weight"].asnumpy()
    # first step: decay min(0.5, 2/11) = 2/11 of the old average, the rest from the new weights
    d = 2.0 / 11.0
    np.testing.assert_allclose(avg, start * d + w1 * (1 - d), rtol=1e-5)
    assert swap_ema(step)
    np.testing.assert_allclose(net.dense.weight.asnumpy(), avg, rtol=1e-6)
    assert swap_ema(step)
    np.testing.assert_allclose(net.dense.weight.asnumpy(), w1, rtol=1e-6)
    plain = TrainStep(NetWithLoss(_Tiny()), nn.SGD(net.trainable_params(), learning_rate=1.0))
    assert not swap_ema(plain)
