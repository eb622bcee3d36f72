"""Shared steps of the entry scripts: preprocess folder in, network out."""
import os
import time

import numpy as np

from . import dataset as data_lib
from .glove import resolve_glove_path
from .model_utils.runtime import embed_size_for


def ensure_preprocessed(cfg, rank=0, log=print, wait_seconds=3600, sync=None):
    """Run or reuse preprocessing (rank 0 only); other ranks wait for the finished folder.

    ``sync`` (a barrier across ranks, for distributed runs) makes the other ranks wait
    until rank 0 has finished: they then read the folder rank 0 just built or checked,
    never an outdated one it is about to replace. Without it they poll for a complete
    folder with matching settings.

    Returns (meta, words, table) of a folder whose settings match the config.
    """
    settings = data_lib.preprocess_settings(cfg)
    if cfg.preprocess and rank == 0:
        glove = resolve_glove_path(cfg.glove_path, cfg.embed_size)
        data_lib.preprocess(cfg.aclimdb_path, glove, cfg.preprocess_path, settings, log=log)
    if sync is not None:
        sync()
    elif cfg.preprocess and rank != 0:
        deadline = time.time() + wait_seconds
        while True:
            try:
                return data_lib.load_folder(cfg.preprocess_path, settings)
            except data_lib.PreprocessError:
                if time.time() > deadline:
                    raise
                time.sleep(2)
    if not cfg.preprocess and not os.path.isdir(cfg.preprocess_path):
        raise data_lib.PreprocessError(f"preprocess folder {cfg.preprocess_path!r} does not exist: "
                                       f"run with --preprocess true")
    return data_lib.load_folder(cfg.preprocess_path, settings)


def load_preprocessed(cfg, rank=0, log=print):
    """(meta, words, table) for eval, export and predict: an existing folder is loaded as it is.

    A trained checkpoint belongs to its preprocess folder (the checkpoint records the folder's
    vocabulary hash), so when the folder exists it is only read and its settings checked:
    neither aclImdb nor GloVe is needed, whatever ``cfg.preprocess`` says. Only a missing
    folder is built, and only when ``cfg.preprocess`` is true.
    """
    settings = data_lib.preprocess_settings(cfg)
    if os.path.isfile(os.path.join(cfg.preprocess_path, data_lib.META)):
        return data_lib.load_folder(cfg.preprocess_path, settings)
    if cfg.preprocess:
        return ensure_preprocessed(cfg, rank, log)
    raise data_lib.PreprocessError(f"preprocess folder {cfg.preprocess_path!r} does not exist: pass the "
                                   f"folder training used (--preprocess_path) or run with --preprocess true")


def split_dataset(cfg, meta, split, train=False):
    """Batches of one split as the config asks: shuffled, and only full batches, for training."""
    return data_lib.create_dataset(cfg.preprocess_path, split, cfg.batch_size, meta["settings"]["max_len"],
                                   shuffle=train, seed=cfg.seed, bucket_width=cfg.bucket_width,
                                   drop_remainder=train, max_batch_tokens=cfg.max_batch_tokens)


def pad_table(cfg, table):
    """Zero-pad embedding columns to the device's preferred size (Ascend: multiple of 16)."""
    size = embed_size_for(cfg.device_target, table.shape[1])
    if size == table.shape[1]:
        return table
    return np.pad(table, ((0, 0), (0, size - table.shape[1])))
