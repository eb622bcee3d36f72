"""Rebuild a trained network from a checkpoint and its preprocess folder, checking they match."""
from . import checkpoint as ckpt_lib
from .lstm import build_net
from .pipeline import ensure_preprocessed, pad_table


def restore(cfg, ckpt_file, rank=0, log=print):
    """(net, meta, words) with the checkpoint's weights; refuses mismatched artifacts."""
    if not ckpt_file:
        raise ckpt_lib.CheckpointError("no checkpoint given: pass --ckpt_file PATH")
    params, info = ckpt_lib.read(ckpt_file)
    meta, words, table = ensure_preprocessed(cfg, rank, log)
    ckpt_lib.check(info, cfg, meta, ckpt_file)
    net = build_net(cfg, len(words), pad_table(cfg, table))
    ckpt_lib.load_into(net, params, ckpt_file)
    net.set_train(False)
    return net, meta, words
