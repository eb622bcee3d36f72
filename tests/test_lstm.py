import mindspore as ms
import numpy as np
import pytest
from mindspore import Tensor, nn

from src.lstm import LengthAwareLSTM, SentimentNet, pad_batch


@pytest.fixture(autouse=True)
def pynative():
    ms.set_context(mode=ms.PYNATIVE_MODE)
    ms.set_device("CPU")
    ms.set_seed(0)
    yield
    ms.set_context(mode=ms.GRAPH_MODE)


def _copy_weights(ours, ref, num_layers, bidirectional):
    rp = {p.name: p for p in ref.get_parameters()}
    mp = {p.name: p for p in ours.get_parameters()}
    dirs = 2 if bidirectional else 1
    for k in range(num_layers * dirs):
        layer, suffix = divmod(k, dirs)
        rev = "_reverse" if suffix else ""
        for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            mp[f"rnns.{k}.{n}_l0"].set_data(rp[f"{n}_l{layer}{rev}"].data)


@pytest.mark.parametrize("bidirectional", [True, False])
def test_matches_nn_lstm_with_seq_length(bidirectional):
    ours = LengthAwareLSTM(5, 4, 2, bidirectional)
    ref = nn.LSTM(5, 4, num_layers=2, bidirectional=bidirectional, batch_first=True)
    _copy_weights(ours, ref, 2, bidirectional)
    x = Tensor(np.random.RandomState(1).randn(3, 7, 5).astype(np.float32))
    lengths = [7, 3, 1]
    lens = Tensor(np.array(lengths, np.int32))
    a = ours(x, lens).asnumpy()
    b = ref(x, seq_length=lens)[0].asnumpy()
    for i, n in enumerate(lengths):
        np.testing.assert_allclose(a[i, :n], b[i, :n], atol=1e-5)


def _net(readout, **kw):
    table = np.random.RandomState(0).randn(20, 6).astype(np.float32)
    return SentimentNet(20, 6, 5, 2, True, 2, weight=table, readout=readout, **kw)


@pytest.mark.parametrize("readout", ["pool", "last"])
def test_length_aware_readouts_ignore_padding(readout):
    net = _net(readout)
    net.set_train(False)
    ids = np.array([[3, 4, 5, 6]], np.int32)
    padded = np.array([[3, 4, 5, 6, 0, 0, 0]], np.int32)
    lens = Tensor(np.array([4], np.int32))
    a = net(Tensor(ids), lens).asnumpy()
    b = net(Tensor(padded), lens).asnumpy()
    assert a.shape == (1, 2)
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_seed_readout_sees_padding():
    net = _net("first_last")
    net.set_train(False)
    lens = Tensor(np.array([2], np.int32))
    a = net(Tensor(np.array([[3, 4]], np.int32)), lens).asnumpy()
    b = net(Tensor(np.array([[3, 4, 0, 0, 0]], np.int32)), lens).asnumpy()
    assert not np.allclose(a, b)


def test_embedding_frozen_or_trained():
    frozen = _net("pool")
    trained = _net("pool", train_embedding=True)
    assert not any("embedding" in p.name for p in frozen.trainable_params())
    assert any("embedding" in p.name for p in trained.trainable_params())


def test_bad_readout():
    with pytest.raises(ValueError, match="readout must be one of"):
        _net("middle")


def test_pad_batch():
    ids, lens = pad_batch([[1, 2, 3], [], [4]], max_len=10)
    assert ids.tolist() == [[1, 2, 3], [0, 0, 0], [4, 0, 0]] and lens.tolist() == [3, 1, 1]
    ids, lens = pad_batch([list(range(1, 30))], max_len=8)
    assert ids.shape == (1, 8) and lens.tolist() == [8]


def test_pool_readout_is_masked_max_and_mean():
    """Logits equal the decoder applied to [max, mean] of the encoder outputs over the real
    steps of each row, computed here in numpy."""
    net = _net("pool")
    net.set_train(False)
    ids = np.array([[3, 4, 5, 6, 7], [8, 9, 0, 0, 0], [2, 0, 0, 0, 0]], np.int32)
    lengths = np.array([5, 2, 1], np.int32)
    out = net.encoder(net.embedding(Tensor(ids)), Tensor(lengths)).asnumpy()
    feat = np.stack([np.concatenate((out[i, :n].max(0), out[i, :n].mean(0))) for i, n in enumerate(lengths)])
    w = net.decoder.weight.asnumpy()
    b = net.decoder.bias.asnumpy()
    expected = feat @ w.T + b
    np.testing.assert_allclose(net(Tensor(ids), Tensor(lengths)).asnumpy(), expected, atol=1e-5)
