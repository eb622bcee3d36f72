"""Shared steps of the entry scripts: preprocess folder in, network out."""
import os
import time

import numpy as np

from . import dataset as data_lib
from .glove import resolve_glove_path
from .model_utils.runtime import embed_size_for


def ensure_preprocessed(cfg, rank=0, log=print, wait_seconds=3600):
    """Run or reuse preprocessing (rank 0 only); other ranks wait for the finished folder.

    Returns (meta, words, table) of a folder whose settings match the config.
    """
    settings = data_lib.preprocess_settings(cfg)
    if cfg.preprocess and rank == 0:
        glove = resolve_glove_path(cfg.glove_path, cfg.embed_size)
        data_lib.preprocess(cfg.aclimdb_path, glove, cfg.preprocess_path, settings, log=log)
    elif cfg.preprocess:
        deadline = time.time() + wait_seconds
        while True:
            try:
                return data_lib.load_folder(cfg.preprocess_path, settings)
            except data_lib.PreprocessError:
                if time.time() > deadline:
                    raise
                time.sleep(2)
    elif not os.path.isdir(cfg.preprocess_path):
        raise data_lib.PreprocessError(f"preprocess folder {cfg.preprocess_path!r} does not exist: "
                                       f"run with --preprocess true")
    return data_lib.load_folder(cfg.preprocess_path, settings)


def pad_table(cfg, table):
    """Zero-pad embedding columns to the device's preferred size (Ascend: multiple of 16)."""
    size = embed_size_for(cfg.device_target, table.shape[1])
    if size == table.shape[1]:
        return table
    return np.pad(table, ((0, 0), (0, size - table.shape[1])))
