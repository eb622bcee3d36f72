"""Binary files of inference on exported models (the layout of the seed's Ascend 310 flow).

preprocess.py writes, under ``result_path``:

- ``00_data/<name>.bin``: int32 token ids, row-major (rows, max_len), 0-padded;
- ``01_data/<name>.bin``: int32 true lengths (rows,);
- ``label_ids.npy``: int32 labels of every row, in file order;
- ``infer_info.json``: split, max_len, vocabulary hash and file list.

Inference (C++ app on Ascend, ``src.infer_mindir`` or ``src.infer_onnx``) writes one
``<name>_0.bin`` per input file into ``result_dir``: float32 logits (rows, num_classes).
Only numpy is needed here, so postprocess.py runs without MindSpore.
"""
import json
import os
import shutil
import time

import numpy as np

IDS_DIR, LENGTHS_DIR, LABELS_FILE, INFO_FILE = "00_data", "01_data", "label_ids.npy", "infer_info.json"


class InferDataError(ValueError):
    """Inference input or output files are missing or inconsistent."""


def batch_name(prefix, index):
    return f"{prefix}_{index:05d}"


def result_name(name):
    return f"{name}_0.bin"


def read_info(result_path):
    path = os.path.join(result_path, INFO_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise InferDataError(f"{result_path!r} has no {INFO_FILE}: run preprocess.py first "
                             f"(or NEED_PREPROCESS=y)") from None
    except ValueError:
        raise InferDataError(f"{path!r} is not valid JSON: run preprocess.py again") from None


def list_inputs(result_path):
    """Names (without .bin) of the input files, in order."""
    ids_dir = os.path.join(result_path, IDS_DIR)
    if not os.path.isdir(ids_dir):
        raise InferDataError(f"{result_path!r} has no {IDS_DIR}/ folder: run preprocess.py first")
    names = sorted(f[:-4] for f in os.listdir(ids_dir) if f.endswith(".bin"))
    if not names:
        raise InferDataError(f"{ids_dir!r} holds no .bin files: run preprocess.py again")
    return names


def read_batch(result_path, name, max_len):
    """(ids (rows, max_len), lengths (rows,)) of one input file."""
    ids = np.fromfile(os.path.join(result_path, IDS_DIR, f"{name}.bin"), np.int32)
    lpath = os.path.join(result_path, LENGTHS_DIR, f"{name}.bin")
    if not os.path.isfile(lpath):
        raise InferDataError(f"{lpath!r} is missing: run preprocess.py again")
    lengths = np.fromfile(lpath, np.int32)
    if ids.size != lengths.size * max_len:
        raise InferDataError(f"{name}.bin: {ids.size} ids for {lengths.size} rows of max_len {max_len}: "
                             f"run preprocess.py again")
    return ids.reshape(lengths.size, max_len), lengths


def rows_of(result_path, name):
    return os.path.getsize(os.path.join(result_path, LENGTHS_DIR, f"{name}.bin")) // 4


def read_result(result_dir, name, rows):
    path = os.path.join(result_dir, result_name(name))
    if not os.path.isfile(path):
        raise InferDataError(f"no inference output {path!r}: run inference on every input file first")
    logits = np.fromfile(path, np.float32)
    if rows == 0 or logits.size % rows:
        raise InferDataError(f"{path!r} holds {logits.size} values, not a multiple of its {rows} rows")
    return logits.reshape(rows, -1)


def fresh_dir(path, ours):
    """Empty ``path`` for new output; refuses to wipe a non-empty folder for which
    ``ours(names)`` is false (one this tool did not write)."""
    if os.path.isdir(path) and os.listdir(path):
        if not ours(os.listdir(path)):
            raise InferDataError(f"{path!r} exists and was not written by this tool: choose another folder")
        shutil.rmtree(path)
    os.makedirs(path, exist_ok=True)


def is_result_dir(names):
    return all(n.endswith("_0.bin") for n in names)


def is_data_dir(names):
    return INFO_FILE in names


def softmax_last(logits):
    """P(last class) per row, computed stably in float64."""
    z = np.asarray(logits, np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e[:, -1] / e.sum(axis=1)).astype(np.float32)


def run_fixed_batch(fn, ids, lengths, batch):
    """Logits of every row through ``fn(ids, lengths)``; with a fixed ``batch`` (static graphs),
    rows go in chunks of ``batch`` and a short last chunk is padded with one-token rows."""
    if not batch:
        return fn(ids, lengths)
    out = []
    for start in range(0, len(ids), batch):
        chunk_ids, chunk_len = ids[start:start + batch], lengths[start:start + batch]
        n = len(chunk_ids)
        if n < batch:
            pad_ids = np.zeros((batch - n, ids.shape[1]), ids.dtype)
            pad_ids[:, 0] = 1  # one <unk> token
            chunk_ids = np.concatenate([chunk_ids, pad_ids])
            chunk_len = np.concatenate([chunk_len, np.ones(batch - n, lengths.dtype)])
        out.append(np.asarray(fn(chunk_ids, chunk_len))[:n])
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def infer_files(fn, result_path, result_dir, batch=None, expected=None, log=print):
    """Run ``fn(ids, lengths) -> logits`` over every input file and write ``result_dir``.

    ``expected`` (a model's provenance) is checked against the files' vocabulary and max_len.
    Returns (reviews, seconds of inference).
    """
    info = read_info(result_path)
    if expected:
        for key in ("vocab_hash", "max_len"):
            if key in expected and expected[key] != info.get(key):
                raise InferDataError(f"the model was exported with {key}={expected[key]!r} but "
                                     f"{result_path!r} was written with {key}={info.get(key)!r}: "
                                     f"preprocess with the model's folder")
    names = list_inputs(result_path)
    fresh_dir(result_dir, is_result_dir)
    total, seconds = 0, 0.0
    for name in names:
        ids, lengths = read_batch(result_path, name, info["max_len"])
        t = time.perf_counter()
        logits = np.asarray(run_fixed_batch(fn, ids, lengths, batch), np.float32)
        seconds += time.perf_counter() - t
        logits.tofile(os.path.join(result_dir, result_name(name)))
        total += len(ids)
    log(f"inference: {total} reviews in {len(names)} files, {seconds:.2f}s "
        f"({total / max(seconds, 1e-9):.0f} reviews/s); logits in {result_dir}")
    return total, seconds

