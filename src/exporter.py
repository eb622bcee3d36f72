"""Export a trained network as MINDIR, AIR or ONNX, with a provenance file beside the model.

Graph inputs: ``ids`` int32 (batch, max_len) token ids padded with 0, and ``lengths`` int32
(batch,) true lengths; output: ``logits`` float32 (batch, num_classes).

- MINDIR has a dynamic batch: ``Tensor(shape=[None, max_len])`` and ``[None]``.
- ONNX has a static batch (``export_batch_size``): MindSpore 2.10 bakes the shapes of the
  example inputs into the graph's Reshape nodes, so ``dynamic_axes`` only renames the axis
  and a graph exported for one batch fails on another. Callers pad to the exported batch.
- AIR is exported by MindSpore only on the Ascend backend.

``<model file>.json`` (for example ``lstm.mindir.json``) records what the graph expects:
vocabulary hash and size, max_len, batch, network shape and the source checkpoint, so that
inference can refuse a preprocess folder the model was not trained with.
"""
import datetime
import json
import os

import numpy as np

from . import checkpoint as ckpt_lib
from .fsutil import write_json

EXTENSIONS = {"MINDIR": ".mindir", "AIR": ".air", "ONNX": ".onnx"}
INPUT_NAMES = ("ids", "lengths")
OUTPUT_NAMES = ("logits",)
SIDECAR_VERSION = 1
# what a model and a preprocess folder must agree on
MATCH_KEYS = ("vocab_hash", "vocab_size", "max_len")


class ExportError(ValueError):
    """An export was asked for that cannot be done, or a model's provenance does not match."""


def model_path(file_name, file_format):
    """Output path: ``file_name`` plus the format's extension (not doubled if already there)."""
    if not file_name:
        raise ExportError("no output name given: pass --file_name NAME")
    ext = EXTENSIONS[file_format]
    base = file_name[:-len(ext)] if file_name.lower().endswith(ext) else file_name
    return os.path.abspath(base + ext)


def sidecar_path(model_file):
    return f"{model_file}.json"


def check_format(file_format, device_target):
    if file_format not in EXTENSIONS:
        raise ExportError(f"--file_format must be one of {sorted(EXTENSIONS)}, got {file_format!r}")
    if file_format == "AIR" and device_target != "Ascend":
        raise ExportError(f"AIR export needs device_target Ascend (MindSpore exports AIR only with the "
                          f"Ascend backend; this run uses {device_target}): use --file_format MINDIR or ONNX")


def export_net(net, file_name, file_format, max_len, batch_size=1, device_target="CPU"):
    """Write the graph of ``net`` (in inference mode) and return the model file's path.

    The file appears under its final name only when complete.
    """
    import mindspore as ms
    from mindspore import Tensor

    check_format(file_format, device_target)
    path = model_path(file_name, file_format)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ext = EXTENSIONS[file_format]
    tmp = f"{path[:-len(ext)]}.tmp-{os.getpid()}{ext}"
    net.set_train(False)
    ids = Tensor(np.full((batch_size, max_len), 1, np.int32))  # UNK everywhere: values do not matter
    lengths = Tensor(np.full((batch_size,), max_len, np.int32))
    try:
        if file_format == "MINDIR":
            ms.export(net, Tensor(shape=[None, max_len], dtype=ms.int32), Tensor(shape=[None], dtype=ms.int32),
                      file_name=tmp, file_format="MINDIR")
        elif file_format == "ONNX":
            from mindspore import onnx as ms_onnx
            ms_onnx.export(net, ids, lengths, file_name=tmp, input_names=list(INPUT_NAMES),
                           output_names=list(OUTPUT_NAMES))
        else:
            ms.export(net, ids, lengths, file_name=tmp, file_format="AIR")
        if not os.path.isfile(tmp):
            raise ExportError(f"MindSpore wrote no {file_format} file for {path!r}")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def provenance(cfg, meta, ckpt_file, file_format, batch_size, model_file):
    """Contents of the sidecar file written next to an exported model."""
    import mindspore as ms
    max_len = meta["settings"]["max_len"]
    batch = batch_size if file_format != "MINDIR" else None
    info = ckpt_lib.provenance(cfg, meta)
    info.update({
        "sidecar_version": SIDECAR_VERSION, "file_format": file_format,
        "model_file": os.path.basename(model_file), "batch_size": batch,
        "inputs": [{"name": INPUT_NAMES[0], "dtype": "int32", "shape": [batch, max_len]},
                   {"name": INPUT_NAMES[1], "dtype": "int32", "shape": [batch]}],
        "outputs": [{"name": OUTPUT_NAMES[0], "dtype": "float32", "shape": [batch, cfg.num_classes]}],
        "head_len": meta["settings"]["head_len"], "tokenizer": meta["settings"]["tokenizer"],
        "ckpt_file": os.path.abspath(ckpt_file), "preprocess_path": os.path.abspath(cfg.preprocess_path),
        "mindspore_version": ms.__version__,
        "exported_at": datetime.datetime.now().isoformat(timespec="seconds"),
    })
    return info


def write_sidecar(info, model_file):
    path = sidecar_path(model_file)
    write_json(info, path, sort_keys=True)
    return path


def read_sidecar(model_file):
    """The provenance dict of an exported model, or None when it has no sidecar file."""
    path = sidecar_path(model_file)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError):
        raise ExportError(f"provenance file {path!r} is not valid JSON: export the model again") from None
    if not isinstance(info, dict) or "vocab_hash" not in info:
        raise ExportError(f"provenance file {path!r} has no vocab_hash: export the model again")
    return info


def check_sidecar(info, expected, model_file, where="preprocess folder"):
    """Refuse a model whose recorded vocabulary or max_len differs from ``expected``'s."""
    for key in MATCH_KEYS:
        if key in expected and key in info and info[key] != expected[key]:
            raise ExportError(f"model {model_file!r} was exported with {key}={info[key]!r} but the {where} "
                              f"has {key}={expected[key]!r}: use the folder the model was trained with")


def folder_facts(meta):
    """The MATCH_KEYS values of a preprocess folder's meta.json."""
    return {"vocab_hash": meta["vocab_hash"], "vocab_size": meta["vocab_size"],
            "max_len": meta["settings"]["max_len"]}
