"""Classify raw review text with a trained model.

    from src.predictor import Predictor
    p = Predictor("preprocess", ckpt_file="ckpt/lstm_best_acc.ckpt")   # or mindir_file= / onnx_file=
    p.predict(["A wonderful film.", "Dull and far too long."])
    # [{'label': 'positive', 'score': 0.97...}, {'label': 'negative', 'score': 0.02...}]

Text goes through exactly the steps training used: ``imdb.tokenize`` with the folder's
tokenizer settings, then ``dataset.encode_reviews`` (vocabulary lookup, head + tail
truncation to max_len, an empty review becoming one <unk>). Only ``meta.json`` and
``vocab.txt`` of the preprocess folder are read. ``score`` is P(positive); the label is
positive when score >= 0.5, the rule eval.py scores with.
"""
import os

import numpy as np

from . import dataset as data_lib
from . import exporter, imdb
from . import vocab as vocab_lib
from .infer_io import run_fixed_batch, softmax_last
from .inference import CheckpointModel, InferenceError, MindirModel, OnnxModel, init_device
from .lstm import pad_batch

LABEL_NAMES = ("negative", "positive")  # index = label id (imdb.LABELS: neg, pos)


class PredictError(ValueError):
    """Bad arguments to the predictor."""


def load_vocabulary(folder, settings=None):
    """(meta, words) of a preprocess folder, reading only meta.json and vocab.txt."""
    if not folder or not os.path.isdir(folder):
        raise data_lib.PreprocessError(f"preprocess folder {folder!r} does not exist: pass the folder the "
                                       f"model was trained with (--preprocess_path)")
    meta = data_lib.load_meta(folder)
    if settings is not None:
        data_lib.check_settings(meta, settings, folder)
    words = vocab_lib.load_vocab(os.path.join(folder, data_lib.VOCAB))
    if vocab_lib.vocab_hash(words) != meta["vocab_hash"]:
        raise data_lib.PreprocessError(f"{data_lib.VOCAB} in {folder!r} does not match its recorded hash: "
                                       f"preprocess again")
    return meta, words


class Predictor:
    """Raw text -> sentiment with one model: ``ckpt_file``, ``mindir_file`` or ``onnx_file``.

    ``preprocess_path`` is the folder the model was trained with; its vocabulary hash and
    max_len are checked against the checkpoint or the exported model's ``.json`` file.
    ``cfg`` (optional) is checked like eval.py does; without it the checkpoint's own
    network settings are used. ``batch_size`` reviews run together; a checkpoint model
    batches reviews of similar length and pads each batch only to its longest review.
    MindSpore runs in graph mode on ``device_target`` (the process-wide context).
    """

    def __init__(self, preprocess_path, ckpt_file=None, mindir_file=None, onnx_file=None, batch_size=64,
                 device_target="CPU", device_id=0, cfg=None, warmup=True):
        given = [name for name, v in (("ckpt_file", ckpt_file), ("mindir_file", mindir_file),
                                      ("onnx_file", onnx_file)) if v]
        if len(given) != 1:
            raise PredictError("give exactly one model: --ckpt_file, --mindir_file or --onnx_file"
                               + (f" (got {', '.join(given)})" if given else ""))
        if int(batch_size) < 1:
            raise PredictError(f"batch_size must be a positive integer, got {batch_size!r}")
        settings = data_lib.preprocess_settings(cfg) if cfg is not None else None
        self.meta, words = load_vocabulary(preprocess_path, settings)
        s = self.meta["settings"]
        self.max_len, self.head_len = s["max_len"], s["head_len"]
        self.lowercase = s["tokenizer"]["lowercase"]
        self.index = vocab_lib.to_index(words)
        self.batch_size = int(batch_size)
        facts = exporter.folder_facts(self.meta)
        if onnx_file:
            self.model = OnnxModel(onnx_file, facts, device_target)
        else:
            init_device(device_target, device_id)
            if ckpt_file:
                self.model = CheckpointModel(ckpt_file, self.meta, cfg, device_target)
            else:
                self.model = MindirModel(mindir_file, facts)
        if self.model.num_classes != 2:
            raise PredictError(f"the model has {self.model.num_classes} classes; predict labels "
                               f"{LABEL_NAMES} need 2")
        if self.model.steps is not None and self.model.steps != self.max_len:
            raise InferenceError(f"the model takes {self.model.steps} tokens per review but the preprocess "
                                 f"folder has max_len={self.max_len}")
        if warmup:
            self.logits([""])  # compile now, so that the first real call is fast

    def encode(self, texts):
        """Id lists of raw texts, as training encodes reviews."""
        tokens = [imdb.tokenize(t, self.lowercase) for t in texts]
        return data_lib.encode_reviews(tokens, self.index, self.max_len, self.head_len)

    def logits(self, texts):
        """(len(texts), num_classes) float32 logits, in input order."""
        if isinstance(texts, str):
            raise TypeError("texts must be a list of strings, not one string")
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}] is {type(t).__name__}, not str")
        rows = self.encode(texts)
        out = np.zeros((len(rows), self.model.num_classes), np.float32)
        if not rows:
            return out
        if self.model.steps is None:
            # similar lengths together: each batch is padded only to its longest review
            order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        else:
            order = list(range(len(rows)))
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            ids, lengths = pad_batch([rows[i] for i in idx], self.max_len)
            if self.model.steps is not None and ids.shape[1] < self.model.steps:
                ids = np.pad(ids, ((0, 0), (0, self.model.steps - ids.shape[1])))
            out[idx] = run_fixed_batch(self.model, ids, lengths, self.model.batch)
        return out

    def scores(self, texts):
        """P(positive) per text."""
        logits = self.logits(texts)
        return softmax_last(logits) if len(logits) else np.zeros(0, np.float32)

    def predict(self, texts):
        """[{"label": "positive"|"negative", "score": P(positive)}, ...] in input order."""
        return [{"label": LABEL_NAMES[int(p >= 0.5)], "score": round(float(p), 6)} for p in self.scores(texts)]
