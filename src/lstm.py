"""SentimentNet: GloVe embedding -> (bi)LSTM encoder -> readout -> dense decoder."""
import mindspore as ms
import numpy as np
from mindspore import Tensor, nn, ops

READOUTS = ("pool", "last", "first_last")


def time_mask(lengths, steps):
    """(batch, steps, 1) float mask: 1 for real tokens, 0 for padding."""
    t = ops.arange(steps).astype(ms.int32).reshape(1, -1)
    return (t < lengths.reshape(-1, 1)).astype(ms.float32).expand_dims(2)


class LengthAwareLSTM(nn.Cell):
    """Stacked (bi)LSTM whose outputs equal those of an LSTM that stops at each row's length.

    Each direction of each layer is one fused unidirectional ``nn.LSTM``. The backward
    direction reads every row reversed within its own length (``ReverseSequence``: padding
    stays at the end; a third cheaper per step than an index gather),
    so neither direction ever reads padding before real tokens. This gives the result of
    ``nn.LSTM(..., seq_length=...)`` at the speed of the fused kernel: on CPU, seq_length
    makes MindSpore unroll the time loop into the graph (minutes of compile, 5x slower).
    Outputs at padded steps are not meaningful; readouts mask them.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=True, dropout=0.0):
        super().__init__()
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        dirs = 2 if bidirectional else 1
        cells = []
        for layer in range(num_layers):
            size = input_size if layer == 0 else hidden_size * dirs
            for _ in range(dirs):
                cells.append(nn.LSTM(size, hidden_size, num_layers=1, batch_first=True))
        self.rnns = nn.CellList(cells)
        self.dropout = nn.Dropout(p=dropout) if dropout > 0 else None
        # reverses each row's first ``length`` steps, padding stays in place
        self.reverse = ops.ReverseSequence(seq_dim=1, batch_dim=0)

    def construct(self, x, lengths):
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout is not None:
                x = self.dropout(x)
            if self.bidirectional:
                fwd, _ = self.rnns[2 * layer](x)
                bwd, _ = self.rnns[2 * layer + 1](self.reverse(x, lengths))
                x = ops.cat((fwd, self.reverse(bwd, lengths)), 2)
            else:
                x, _ = self.rnns[layer](x)
        return x


class SentimentNet(nn.Cell):
    """Inputs: token ids (batch, steps) int32 and true lengths (batch,) int32; output: logits."""

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, bidirectional,
                 num_classes, weight=None, readout="pool", dropout=0.0, embed_dropout=0.0,
                 train_embedding=False):
        super().__init__()
        if readout not in READOUTS:
            raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")
        table = Tensor(weight, ms.float32) if weight is not None else "normal"
        self.embedding = nn.Embedding(vocab_size, embed_size, embedding_table=table)
        self.embedding.embedding_table.requires_grad = bool(train_embedding)
        self.embed_dropout = nn.Dropout(p=embed_dropout) if embed_dropout > 0 else None
        self.encoder = LengthAwareLSTM(embed_size, num_hiddens, num_layers, bidirectional, dropout)
        self.readout = readout
        width = num_hiddens * (2 if bidirectional else 1)
        self.bidirectional = bidirectional
        self.num_hiddens = num_hiddens
        self.dropout = nn.Dropout(p=dropout) if dropout > 0 else None
        self.decoder = nn.Dense(width if readout == "last" else 2 * width, num_classes)

    def construct(self, ids, lengths):
        x = self.embedding(ids)
        if self.embed_dropout is not None:
            x = self.embed_dropout(x)
        out = self.encoder(x, lengths)
        steps = ids.shape[1]
        if self.readout == "pool":
            mask = time_mask(lengths, steps)
            # the masked sum as a batched matmul: on CPU with dynamic shapes, broadcast
            # elementwise ops over (batch, steps, width) cost more than the matmul kernel
            total = ops.bmm(mask.swapaxes(1, 2), out).squeeze(1)
            mean = total / lengths.astype(ms.float32).reshape(-1, 1)
            # LSTM outputs lie in (-1, 1): shifting padding down by 2 keeps it out of the max;
            # max-with-index has a cheaper gradient than amax (a scatter, no tie counting)
            peak = ops.max(out + (mask - 1.0) * 2.0, 1)[0]
            feat = ops.cat((peak, mean), 1)
        elif self.readout == "last":
            # forward state at the row's last token; backward state at its first
            idx = (lengths - 1).reshape(-1, 1, 1)
            last = ops.gather_elements(out, 1, ops.broadcast_to(idx, (out.shape[0], 1, out.shape[2])))
            last = last.squeeze(1)
            if self.bidirectional:
                h = self.num_hiddens
                feat = ops.cat((last[:, :h], out[:, 0, h:]), 1)
            else:
                feat = last
        else:
            # the seed's readout: first and (padded) last time step
            feat = ops.cat((out[:, 0], out[:, steps - 1]), 1)
        if self.dropout is not None:
            feat = self.dropout(feat)
        return self.decoder(feat)


def build_net(cfg, vocab_size, weight=None):
    """SentimentNet from config keys; ``weight`` is the embedding table or None (checkpoint).

    The table's width wins over ``cfg.embed_size``: on Ascend it is zero-padded to a multiple
    of 16 (pipeline.pad_table), and the LSTM must take that width.
    """
    embed_size = int(np.shape(weight)[1]) if weight is not None else cfg.embed_size
    return SentimentNet(vocab_size=vocab_size, embed_size=embed_size,
                        num_hiddens=cfg.num_hiddens, num_layers=cfg.num_layers,
                        bidirectional=cfg.bidirectional, num_classes=cfg.num_classes,
                        weight=weight, readout=cfg.readout, dropout=cfg.dropout,
                        embed_dropout=cfg.embed_dropout, train_embedding=cfg.train_embedding)


def pad_batch(id_lists, max_len):
    """Ragged id lists -> (ids (n, steps) int32, lengths (n,) int32), steps = longest row."""
    lengths = np.array([max(1, len(r)) for r in id_lists], np.int32)
    steps = min(max_len, int(lengths.max())) if len(lengths) else 1
    ids = np.zeros((len(id_lists), steps), np.int32)
    for i, r in enumerate(id_lists):
        r = r[:steps]
        ids[i, :len(r)] = r
    lengths = np.minimum(lengths, steps)
    return ids, lengths
