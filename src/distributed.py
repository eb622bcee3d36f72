"""Data-parallel training helpers: rank barrier, per-rank training shards, parameter dumps.

Every rank reads its own shard of the training split (``MindDataset`` with
``num_shards = group size`` and ``shard_id = rank``) and trains on it; gradients are
averaged across ranks after each step. Two things make that work with length bucketing:

* **Equal step counts.** An all-reduce needs every rank in every step, so a rank with
  one batch more than the others would wait for ever at the end of an epoch.
  ``bucket_batch_by_length`` cannot promise that: how many full batches a shard yields
  depends on how its lengths fall into the buckets, which differs per rank and per
  epoch. Here every rank cuts the same number of full batches from the same number of
  reviews in every epoch.
* **Aligned lengths.** A step takes as long as its slowest rank. Each rank sorts pools
  of reviews by length, cuts them into batches and visits them in an order drawn from a
  generator seeded identically on all ranks, so in every step all ranks train on batches
  from the same length quantile of their pools and finish at about the same time.
"""
import os

import numpy as np

from . import dataset as data_lib
from .fsutil import atomic_path

# batches per length-sorted pool: larger pools give tighter lengths per batch, smaller
# pools more varied batch compositions
POOL_BATCHES = 32
# every rank writes its final parameters to $LSTM_DUMP_PARAMS/rank_<r>.npz when set
DUMP_ENV = "LSTM_DUMP_PARAMS"


def barrier():
    """Block until every rank has arrived (an all-reduce of one number)."""
    from mindspore import Tensor, ops
    ops.AllReduce()(Tensor(np.ones(1, np.float32))).asnumpy()


def check_agree(values, rank, what, hint):
    """Stop every rank with an error unless all ranks hold the same ``values`` (small integers)."""
    from mindspore import Tensor, ops
    mine = np.array([values], np.float32)
    # all-gather, as all-reduce on CPU only sums
    every = ops.AllGather()(Tensor(mine)).asnumpy()
    differ = [r for r, row in enumerate(every) if not np.array_equal(row, mine[0])]
    if differ:
        raise RuntimeError(f"rank {rank}: rank {differ[0]} has another {what} than this rank: {hint}")


def check_same_folder(meta, rank):
    """All ranks must have loaded the same vocabulary, or their inputs mean different things.

    With several machines each reads its own ``preprocess_path``; a folder made from other
    data or settings on one of them would silently train a broken model.
    """
    # 24 bits of the hash are exact in float32
    check_agree([int(meta["vocab_hash"][:6], 16), meta["counts"]["train"]], rank,
                "preprocess folder (vocabulary or training-split size)",
                "give every machine the same preprocess folder")


def read_shard(folder, split, num_shards, shard_id):
    """(ids list, lengths, labels, split size) of one rank's shard of a split.

    ``MindDataset`` shuffles with the global dataset seed (the same on every rank) before
    sharding, so the shards are disjoint and mix both classes; an uneven split gives some
    shards one repeated review, which ``ShardBatches`` drops.
    """
    import mindspore.dataset as ds
    path = os.path.join(folder, data_lib.mindrecord_name(split))
    if not os.path.isfile(path):
        raise data_lib.PreprocessError(f"preprocess folder {folder!r} has no {split} split "
                                       f"({data_lib.mindrecord_name(split)}): preprocess again")
    total = ds.MindDataset(path, columns_list=["label"], shuffle=False).get_dataset_size()
    data = ds.MindDataset(path, columns_list=data_lib.COLUMNS, shuffle=True, num_shards=num_shards,
                          shard_id=shard_id)
    ids, lengths, labels = [], [], []
    for row_ids, length, label in data.create_tuple_iterator(num_epochs=1, output_numpy=True):
        ids.append(np.asarray(row_ids, np.int32))
        lengths.append(int(length))
        labels.append(int(label))
    return ids, np.asarray(lengths, np.int64), np.asarray(labels, np.int32), total


class ShardBatches:
    """Batches of one rank's shard; every rank yields the same number in every epoch.

    ``per_rank`` reviews (the same number on all ranks) are used per epoch, drawn afresh
    from the shard each epoch. With ``bucket_width`` > 0 they are length-sorted in pools of
    ``pool_batches`` batches and each batch is padded to a multiple of ``bucket_width``;
    otherwise every batch is padded to ``max_len``. Iterating starts the next epoch
    (``epoch`` may be set first, e.g. when resuming).
    """

    def __init__(self, ids, lengths, labels, batch_size, max_len, bucket_width, seed, rank,
                 per_rank, pool_batches=POOL_BATCHES):
        if per_rank > len(ids):
            raise ValueError(f"shard of rank {rank} has {len(ids)} reviews, fewer than {per_rank}")
        self.ids, self.lengths, self.labels = ids, lengths, labels
        self.batch_size, self.max_len, self.bucket_width = batch_size, max_len, bucket_width
        self.seed, self.rank = seed, rank
        self.steps = per_rank // batch_size
        self.pool = max(1, pool_batches) * batch_size
        self.epoch = 0

    def __len__(self):
        return self.steps

    def plan(self, epoch):
        """Row indices of each batch of ``epoch``: a list of ``steps`` arrays of batch_size."""
        b = self.batch_size
        used = self.steps * b
        # which reviews and in which pools: this rank's own draw
        order = np.random.RandomState([self.seed, epoch, self.rank]).permutation(len(self.ids))[:used]
        batches = []
        for start in range(0, used, self.pool):
            pool = order[start:start + self.pool]
            if self.bucket_width > 0:
                pool = pool[np.argsort(self.lengths[pool], kind="stable")]
            batches.extend(pool[i:i + b] for i in range(0, len(pool), b))
        # the order of the batches: the same on every rank, so step k takes the batch at the
        # same (pool, length quantile) position everywhere
        visit = np.random.RandomState([self.seed, epoch]).permutation(len(batches))
        return [batches[i] for i in visit]

    def padded_len(self, longest):
        if self.bucket_width <= 0:
            return self.max_len
        w = self.bucket_width
        return min(self.max_len, -(-longest // w) * w)

    def make_batch(self, rows):
        lengths = self.lengths[rows]
        ids = np.zeros((len(rows), self.padded_len(int(lengths.max()))), np.int32)
        for i, r in enumerate(rows):
            ids[i, :lengths[i]] = self.ids[r]
        return ids, lengths.astype(np.int32), self.labels[rows]

    def __iter__(self):
        epoch = self.epoch
        self.epoch += 1
        for rows in self.plan(epoch):
            yield self.make_batch(rows)


def create_train_shard(folder, batch_size, max_len, bucket_width, seed, rank, group, split="train"):
    """(dataset, source, info) of this rank's training batches; ``info`` is for the log."""
    import mindspore.dataset as ds
    ids, lengths, labels, total = read_shard(folder, split, group, rank)
    per_rank = total // group
    source = ShardBatches(ids, lengths, labels, batch_size, max_len, bucket_width, seed, rank, per_rank)
    data = ds.GeneratorDataset(source, column_names=data_lib.COLUMNS, shuffle=False,
                               num_parallel_workers=1, python_multiprocessing=False)
    info = {"rank": rank, "group": group, "split_size": total, "shard_size": len(ids),
            "per_epoch": source.steps * batch_size, "steps": source.steps}
    return data, source, info


def describe(info, batch_size):
    return (f"rank {info['rank']}/{info['group']}: shard of {info['shard_size']} of {info['split_size']} "
            f"training reviews, {info['per_epoch']} per epoch in {info['steps']} steps of {batch_size}")


def dump_params(cell, rank):
    """With $LSTM_DUMP_PARAMS set, write this rank's parameters to <dir>/rank_<rank>.npz.

    For checking that data-parallel ranks stay identical; unset, it does nothing.
    """
    out = os.environ.get(DUMP_ENV, "").strip()
    if not out:
        return None
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"rank_{rank}.npz")
    with atomic_path(path, ".npz") as tmp:
        np.savez(tmp, **{p.name: p.asnumpy() for p in cell.get_parameters()})
    return path
