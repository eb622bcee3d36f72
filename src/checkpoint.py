"""Checkpoints that know which preprocess folder and network shape they belong to."""
import os

import mindspore as ms

CKPT_FORMAT_VERSION = 1
# network settings a checkpoint must agree on with the config before its weights load
SHAPE_KEYS = ("embed_size", "num_hiddens", "num_layers", "bidirectional", "readout", "num_classes")


class CheckpointError(ValueError):
    """A checkpoint is missing, unreadable or belongs to another folder or network."""


def provenance(cfg, meta):
    """Metadata saved in every checkpoint (MindSpore stores it through append_dict)."""
    info = {k: getattr(cfg, k) for k in SHAPE_KEYS}
    info.update(ckpt_format_version=CKPT_FORMAT_VERSION, vocab_hash=meta["vocab_hash"],
                vocab_size=meta["vocab_size"], max_len=meta["settings"]["max_len"])
    return info


def save(net, path, info, extra=None):
    """Save atomically: a killed run never leaves a truncated file under the final name."""
    tmp = f"{path}.tmp-{os.getpid()}.ckpt"
    ms.save_checkpoint(net, tmp, append_dict=dict(info, **(extra or {})))
    os.replace(tmp, path)


def read(path):
    """Parameters and provenance of a checkpoint: ({name: Parameter}, {key: value})."""
    if not os.path.isfile(path):
        raise CheckpointError(f"checkpoint {path!r} does not exist")
    try:
        params = ms.load_checkpoint(path)
    except Exception as e:  # MindSpore raises ValueError/RuntimeError for damaged files
        raise CheckpointError(f"checkpoint {path!r} cannot be read (truncated or not a "
                              f"MindSpore checkpoint): {str(e).splitlines()[0][:120]}") from None
    info = {}
    for key in list(params):
        if key in SHAPE_KEYS or key in ("ckpt_format_version", "vocab_hash", "vocab_size", "max_len",
                                        "epoch_num", "step_num", "global_step", "best_metric"):
            value = params.pop(key)
            info[key] = value.asnumpy().item() if hasattr(value, "asnumpy") else value
    return params, info


def check(info, cfg, meta, path):
    """Refuse a checkpoint whose provenance differs from the config or the preprocess folder."""
    if "ckpt_format_version" not in info:
        raise CheckpointError(f"checkpoint {path!r} carries no provenance (not written by this "
                              f"project's train.py)")
    expected = provenance(cfg, meta)
    for key, want in expected.items():
        have = info.get(key)
        if isinstance(want, bool):
            have = bool(have) if have is not None else None
        if have != want:
            where = "preprocess folder" if key in ("vocab_hash", "vocab_size", "max_len") else "config"
            raise CheckpointError(f"checkpoint {path!r} has {key}={have!r} but the {where} has "
                                  f"{key}={want!r}")


def load_into(net, params, path):
    """Load weights; a missing parameter is an error, not a silent skip.

    Weights saved from inside the training wrapper carry a ``net.`` prefix; a bare
    SentimentNet takes them without it.
    """
    net_names = {p.name for p in net.get_parameters()}
    params = {(k[4:] if k not in net_names and k.startswith("net.") and k[4:] in net_names else k): v
              for k, v in params.items()}
    not_loaded, _ = ms.load_param_into_net(net, params, strict_load=True)
    missing = [n for n in not_loaded if n in net_names]
    if missing:
        raise CheckpointError(f"checkpoint {path!r} has no value for parameter {missing[0]!r}")
