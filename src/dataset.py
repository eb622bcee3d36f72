"""The preprocess folder (vocab, embedding, MindRecords) and the datasets read from it.

A preprocess folder is the unit of consistency: everything in it comes from one
vocabulary. It is written under a temporary name and renamed into place when whole,
so a folder either is complete or does not exist.
"""
import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from . import imdb, vocab as vocab_lib
from .fsutil import remove_stale, write_json
from .glove import build_embedding
from .progress import Progress

FORMAT_VERSION = 1
SPLITS = ("train", "valid", "test")
META, VOCAB, EMBEDDING = "meta.json", "vocab.txt", "embedding.npy"
COLUMNS = ["ids", "length", "label"]


class PreprocessError(ValueError):
    """A preprocess folder is missing, incomplete or made with other settings."""


def mindrecord_name(split):
    return f"aclImdb_{split}.mindrecord"


def preprocess_settings(cfg):
    """The config keys that determine a preprocess folder's contents."""
    return {
        "tokenizer": imdb.tokenizer_settings(cfg.lowercase),
        "max_len": cfg.max_len, "head_len": cfg.head_len,
        "min_count": cfg.min_count, "max_vocab": cfg.max_vocab,
        "valid_size": cfg.valid_size, "split_seed": cfg.split_seed,
        "embed_size": cfg.embed_size, "oov_init": cfg.oov_init, "seed": cfg.seed,
    }


def _source_stamp(aclimdb_path, glove_path):
    """Cheap fingerprint of the inputs: names, sizes and mtimes, no content reads."""
    h = hashlib.sha256()
    for split in ("train", "test"):
        for label in imdb.LABELS:
            d = os.path.join(aclimdb_path, split, label)
            if os.path.isdir(d):
                for e in sorted(os.scandir(d), key=lambda e: e.name):
                    st = e.stat()
                    h.update(f"{split}/{label}/{e.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    if os.path.isfile(glove_path):
        st = os.stat(glove_path)
        h.update(f"glove:{os.path.abspath(glove_path)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _tokenize_files(args):
    """Worker: (space-joined tokens, token count, had_bad_bytes) per file.

    One string pickles far faster than a list of tokens, and the writers split it again.
    """
    paths, lowercase, max_bytes = args
    out = []
    for p in paths:
        text, bad = imdb.read_review(p, max_bytes)
        tokens = imdb.tokenize(text, lowercase)
        out.append((" ".join(tokens), len(tokens), bad))
    return out


def _read_all(aclimdb_path, lowercase, pool, max_bytes=1 << 20, chunk=500):
    """Space-joined tokens and labels of the train and test splits, in sorted file order."""
    listing = {s: imdb.list_split(aclimdb_path, s) for s in ("train", "test")}
    jobs = []
    for split, items in listing.items():
        paths = [p for p, _ in items]
        jobs += [(split, (paths[i:i + chunk], lowercase, max_bytes)) for i in range(0, len(paths), chunk)]
    progress = Progress(sum(len(v) for v in listing.values()), "preprocess: reading reviews", "files")
    results = (pool.map if pool else map)(_tokenize_files, [j for _, j in jobs])
    # the writers need MindSpore's MindRecord module; importing it here, while the pool
    # tokenizes, lets the writer processes forked later inherit it instead of importing it twice
    import mindspore.mindrecord  # noqa: F401
    parts = []
    for (split, job), part in zip(jobs, results):
        parts.append((split, part))
        progress.update(len(job[0]))
    progress.close()
    stats = {"files": 0, "empty": 0, "not_utf8": 0, "tokens": 0}
    result = {}
    for split in ("train", "test"):
        rows = [row for s, part in parts if s == split for row in part]
        stats["files"] += len(rows)
        stats["empty"] += sum(1 for _, n, _ in rows if n == 0)
        stats["not_utf8"] += sum(bad for _, _, bad in rows)
        stats["tokens"] += sum(n for _, n, _ in rows)
        result[split] = ([text for text, _, _ in rows], [label for _, label in listing[split]])
    return result, stats


def split_train_valid(n, valid_size, seed):
    """Indices (train, valid) of a fixed, seeded hold-out carved from the training split."""
    if valid_size >= n:
        raise PreprocessError(f"valid_size {valid_size} must be smaller than the {n} training reviews: "
                              f"pass a smaller --valid_size")
    order = np.random.RandomState(seed).permutation(n)
    return np.sort(order[valid_size:]), np.sort(order[:valid_size])


def encode_reviews(token_lists, index, max_len, head_len):
    """Token lists -> truncated id lists; an empty review becomes one UNK token."""
    return _encode(token_lists, index, max_len, head_len)[0]


def _encode(token_lists, index, max_len, head_len):
    """(truncated id lists, unknown tokens before truncation, tokens before truncation)."""
    rows, unknown, total = [], 0, 0
    for tokens in token_lists:
        ids = vocab_lib.encode(tokens, index)
        unknown += ids.count(vocab_lib.UNK_ID)
        total += len(ids)
        rows.append(imdb.truncate(ids, max_len, head_len) or [vocab_lib.UNK_ID])
    return rows, unknown, total


def _write_split(args):
    """Worker: encode one split's space-joined reviews and write its MindRecord file.

    Returns (reviews written, unknown tokens, tokens), counted before truncation.
    """
    path, texts, labels, index, max_len, head_len = args
    rows, unknown, total = _encode((t.split() for t in texts), index, max_len, head_len)
    _write_mindrecord(path, rows, labels)
    return len(rows), unknown, total


def _write_mindrecord(path, rows, labels):
    from mindspore.mindrecord import FileWriter
    writer = FileWriter(path, shard_num=1, overwrite=True)
    # MindRecord's defaults (16 MB header, 32 MB pages) make even the 2,500-review split a
    # 50 MB file; reviews are at most a few KB, so small pages cut the folder to a third
    writer.set_header_size(1 << 20)
    writer.set_page_size(1 << 22)
    writer.add_schema({"ids": {"type": "int32", "shape": [-1]},
                       "length": {"type": "int32"}, "label": {"type": "int32"}}, "aclImdb")
    batch = []
    for ids, label in zip(rows, labels):
        batch.append({"ids": np.asarray(ids, np.int32), "length": len(ids), "label": int(label)})
        if len(batch) == 2000:
            writer.write_raw_data(batch)
            batch = []
    if batch:
        writer.write_raw_data(batch)
    writer.commit()


def load_meta(folder):
    path = os.path.join(folder, META)
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except FileNotFoundError:
        raise PreprocessError(f"preprocess folder {folder!r} has no {META}: run with --preprocess true") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise PreprocessError(f"{path!r} is not valid JSON: delete the folder and preprocess again") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("settings"), dict):
        raise PreprocessError(f"{path!r} is not a preprocess folder's meta.json: delete the folder and "
                              f"preprocess again")
    if meta.get("format_version") != FORMAT_VERSION:
        raise PreprocessError(f"preprocess folder {folder!r} has format version "
                              f"{meta.get('format_version')}, expected {FORMAT_VERSION}: preprocess again")
    return meta


def _folder_complete(folder, meta):
    return _first_damaged(folder, meta) is None


def _first_damaged(folder, meta):
    """(name, why) of the first file whose size differs from meta.json's record, else None."""
    for name, size in sorted(meta.get("files", {}).items()):
        p = os.path.join(folder, name)
        if not os.path.isfile(p):
            return name, "is missing"
        have = os.path.getsize(p)
        if have != size:
            return name, f"has {have} bytes, meta.json recorded {size} (truncated or modified)"
    return None


def check_settings(meta, settings, folder):
    """Refuse a folder made with other settings, naming the first key that differs."""
    for key, want in settings.items():
        have = meta["settings"].get(key)
        if have != want:
            raise PreprocessError(f"preprocess folder {folder!r} was made with {key}={have!r}, "
                                  f"but the config says {key}={want!r}: preprocess again or fix the config")


def preprocess(aclimdb_path, glove_path, out_dir, settings, workers=2, log=print):
    """Build (or reuse) the preprocess folder; returns its meta dict."""
    t0 = time.time()
    if not os.path.isdir(aclimdb_path):
        what = "is not a folder" if os.path.exists(aclimdb_path) else "does not exist"
        raise imdb.ImdbFormatError(f"aclImdb folder {aclimdb_path!r} {what}: point "
                                   f"--aclimdb_path at the extracted aclImdb folder")
    stamp = _source_stamp(aclimdb_path, glove_path)
    fingerprint = hashlib.sha256(json.dumps([settings, stamp], sort_keys=True).encode()).hexdigest()[:16]
    if os.path.isfile(os.path.join(out_dir, META)):
        try:
            meta = load_meta(out_dir)
        except PreprocessError:
            meta = None
        if meta and meta.get("fingerprint") == fingerprint and _folder_complete(out_dir, meta):
            log(f"preprocess: {out_dir} is up to date, reused ({time.time() - t0:.1f}s)")
            return meta

    pool = _pool(workers)
    try:
        data, stats = _read_all(aclimdb_path, settings["tokenizer"]["lowercase"], pool)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    log(f"preprocess: read {stats['files']} reviews, {stats['tokens']} tokens "
        f"({stats['empty']} empty, {stats['not_utf8']} with non-UTF-8 bytes; {time.time() - t0:.1f}s)")
    train_texts, train_labels = data["train"]
    tr_idx, va_idx = split_train_valid(len(train_texts), settings["valid_size"], settings["split_seed"])
    words = vocab_lib.build_vocab((train_texts[i].split() for i in tr_idx),
                                  settings["min_count"], settings["max_vocab"])
    table, emb_stats = build_embedding(words, glove_path, settings["embed_size"],
                                       settings["oov_init"], settings["seed"])
    log(f"preprocess: vocabulary {len(words)} tokens, {emb_stats['found']} in GloVe "
        f"({emb_stats['glove_lines']} lines read, {time.time() - t0:.1f}s)")
    index = vocab_lib.to_index(words)
    enc = {"train": ([train_texts[i] for i in tr_idx], [train_labels[i] for i in tr_idx]),
           "valid": ([train_texts[i] for i in va_idx], [train_labels[i] for i in va_idx]),
           "test": data["test"]}

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = f"{os.path.abspath(out_dir)}.tmp-{os.getpid()}"
    # leftovers of a killed run are never trusted, only deleted (see src.fsutil)
    removed = remove_stale(parent, os.path.basename(os.path.abspath(out_dir)))
    if removed:
        log(f"preprocess: removed {', '.join(removed)} left by an interrupted run")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        vocab_lib.save_vocab(words, os.path.join(tmp, VOCAB))
        np.save(os.path.join(tmp, EMBEDDING), table, allow_pickle=False)
        # largest split first, so two writers finish at about the same time
        jobs = sorted((s for s in SPLITS if enc[s][0]), key=lambda s: -len(enc[s][0]))
        args = [(os.path.join(tmp, mindrecord_name(s)), *enc[s], index, settings["max_len"],
                 settings["head_len"]) for s in jobs]
        pool = _pool(min(workers, len(jobs)))
        try:
            written = dict(zip(jobs, (pool.map if pool else map)(_write_split, args)))
        finally:
            if pool:
                pool.shutdown(cancel_futures=True)
        counts = {s: written[s][0] for s in SPLITS if s in written}
        unk_total, token_total = written["train"][1:]
        files = {n: os.path.getsize(os.path.join(tmp, n)) for n in sorted(os.listdir(tmp))}
        meta = {"format_version": FORMAT_VERSION, "fingerprint": fingerprint, "settings": settings,
                "vocab_size": len(words), "vocab_hash": vocab_lib.vocab_hash(words),
                "embed_size": int(table.shape[1]), "counts": counts, "files": files,
                "stats": dict(stats, **emb_stats, train_tokens=token_total,
                              train_unk_rate=round(unk_total / max(1, token_total), 5)),
                "sources": {"aclimdb_path": os.path.abspath(aclimdb_path),
                            "glove_path": os.path.abspath(glove_path)}}
        write_json(meta, os.path.join(tmp, META), sort_keys=True)
        _replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log(f"preprocess: wrote {out_dir} ({counts}, {time.time() - t0:.1f}s)")
    return meta


def _pool(workers):
    """Worker processes for preprocessing, or None to work in this process.

    Forked, so they inherit what this process has imported (MindRecord) and set up
    (tests patch the writer). Each worker dies with this process (see _die_with_parent).
    """
    if workers <= 1:
        return None
    import multiprocessing
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))


def _die_with_parent(parent_pid):
    """Pool-worker initializer: exit when the parent process dies.

    Idle pool workers wait on a queue whose write end every sibling also holds, so after a
    ``kill -9`` of the parent they would wait forever, holding its stdout pipe open (a
    caller reading that pipe hangs too). Linux delivers SIGKILL to them instead.
    """
    import ctypes
    import signal
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end when their queue breaks
        pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _replace_dir(tmp, out_dir):
    """Move a finished folder into place; an old folder is moved aside first, then deleted."""
    old = None
    if os.path.exists(out_dir):
        old = f"{os.path.abspath(out_dir)}.old-{os.getpid()}"
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def load_folder(folder, settings=None):
    """(meta, vocabulary words, embedding table) of a complete preprocess folder."""
    meta = load_meta(folder)
    damaged = _first_damaged(folder, meta)
    if damaged:
        raise PreprocessError(f"preprocess folder {folder!r} is incomplete or was modified: {damaged[0]} "
                              f"{damaged[1]}; run train.py with --preprocess true to rebuild it")
    if settings is not None:
        check_settings(meta, settings, folder)
    words = vocab_lib.load_vocab(os.path.join(folder, VOCAB))
    if vocab_lib.vocab_hash(words) != meta["vocab_hash"]:
        raise PreprocessError(f"{VOCAB} in {folder!r} does not match its recorded hash: preprocess again")
    table = np.load(os.path.join(folder, EMBEDDING), allow_pickle=False)
    return meta, words, table


def bucket_sizes(max_len, width):
    """Padded lengths of the length buckets: multiples of ``width`` up to ``max_len``."""
    sizes = list(range(width, max_len, width)) if width > 0 else []
    return sizes + [max_len]


def bucket_batch_sizes(sizes, batch_size, max_batch_tokens=0):
    """Batch size of each length bucket: ``batch_size``, fewer where a batch of the bucket's
    width would pass ``max_batch_tokens`` (0 = no cap).

    LSTM training memory grows with batch x width; capping the tokens of the longest
    buckets cuts the peak without touching the short ones.
    """
    if not max_batch_tokens:
        return [batch_size] * len(sizes)
    return [max(1, min(batch_size, max_batch_tokens // s)) for s in sizes]


def create_dataset(folder, split, batch_size, max_len, shuffle=False, seed=1, num_shards=None,
                   shard_id=None, bucket_width=0, drop_remainder=False, num_parallel_workers=1,
                   max_batch_tokens=0):
    """Batches of (ids, length, label) from one split of a preprocess folder.

    With ``bucket_width`` > 0, reviews of similar length are batched together and padded
    only to their bucket's size, which is where most CPU time goes otherwise; buckets
    wider than ``max_batch_tokens / batch_size`` get smaller batches (bucket_batch_sizes).
    """
    import mindspore.dataset as ds
    path = os.path.join(folder, mindrecord_name(split))
    if not os.path.isfile(path):
        raise PreprocessError(f"preprocess folder {folder!r} has no {split} split ({mindrecord_name(split)})")
    data = ds.MindDataset(path, columns_list=COLUMNS, shuffle=shuffle, num_shards=num_shards,
                          shard_id=shard_id, num_parallel_workers=num_parallel_workers)
    if bucket_width > 0:
        sizes = bucket_sizes(max_len, bucket_width)
        data = data.bucket_batch_by_length(
            ["ids"], [s + 1 for s in sizes], bucket_batch_sizes(sizes + [max_len], batch_size, max_batch_tokens),
            pad_info={"ids": (None, 0)}, pad_to_bucket_boundary=True, drop_remainder=drop_remainder)
    else:
        data = data.padded_batch(batch_size, drop_remainder=drop_remainder,
                                 pad_info={"ids": ([max_len], 0)})
    return data
