"""Rebuild a trained network from a checkpoint and its preprocess folder, checking they match."""
import numpy as np

from . import checkpoint as ckpt_lib
from .lstm import build_net
from .pipeline import load_preprocessed, pad_table


def restore(cfg, ckpt_file, rank=0, log=print):
    """(net, meta, words) with the checkpoint's weights; refuses mismatched artifacts.

    An existing preprocess folder is only read (no aclImdb or GloVe needed); see
    ``pipeline.load_preprocessed``.
    """
    if not ckpt_file:
        raise ckpt_lib.CheckpointError("no checkpoint given: pass --ckpt_file PATH")
    params, info = ckpt_lib.read(ckpt_file)
    meta, words, table = load_preprocessed(cfg, rank, log)
    net = net_from_checkpoint(cfg, params, info, meta, len(words), pad_table(cfg, table), ckpt_file)
    return net, meta, words


def net_from_checkpoint(cfg, params, info, meta, vocab_size, table, ckpt_file):
    """An inference network with the checkpoint's weights, after checking its provenance.

    ``table`` only gives the embedding's shape (the checkpoint's values replace it); the
    checkpoint's own table width is used when it has one.
    """
    ckpt_lib.check(info, cfg, meta, ckpt_file)
    saved = next((v for k, v in params.items() if k.endswith("embedding.embedding_table")), None)
    if saved is not None and len(saved.shape) == 2:
        # the saved width: a checkpoint trained on Ascend (table padded to a multiple of 16)
        # then loads on CPU too, and the other way round
        table = np.zeros((vocab_size, int(saved.shape[1])), np.float32)
    elif table is None:
        table = pad_table(cfg, np.zeros((vocab_size, cfg.embed_size), np.float32))
    net = build_net(cfg, vocab_size, table)
    ckpt_lib.load_into(net, params, ckpt_file)
    net.set_train(False)
    return net
