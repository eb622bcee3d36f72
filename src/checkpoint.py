"""Checkpoints that know which preprocess folder and network shape they belong to."""
import os

import mindspore as ms

from .fsutil import atomic_path

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
    with atomic_path(path, ".ckpt") as tmp:
        ms.save_checkpoint(net, tmp, append_dict=dict(info, **(extra or {})))


def read(path):
    """Parameters and provenance of a checkpoint: ({name: Parameter}, {key: value})."""
    if os.path.isdir(path):
        raise CheckpointError(f"checkpoint {path!r} is a folder: pass a .ckpt file inside it, "
                              f"e.g. lstm_best_acc.ckpt")
    if not os.path.isfile(path):
        raise CheckpointError(f"checkpoint {path!r} does not exist: pass the .ckpt file training "
                              f"wrote (e.g. <ckpt_path>/lstm_best_acc.ckpt)")
    try:
        params = ms.load_checkpoint(path)
    except Exception:  # MindSpore raises ValueError/RuntimeError for damaged files
        raise CheckpointError(f"checkpoint {path!r} cannot be read (truncated or not a MindSpore "
                              f"checkpoint): use another checkpoint, e.g. lstm_last.ckpt or a "
                              f"step checkpoint next to it, or train again") from None
    info = {}
    # "global_step" stays a parameter: it is the optimizer's position, which --resume restores
    for key in list(params):
        if key in SHAPE_KEYS or key in ("ckpt_format_version", "vocab_hash", "vocab_size", "max_len",
                                        "epoch_num", "step_num", "best_metric"):
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
            if key in ("vocab_hash", "vocab_size", "max_len"):
                where, fix = "preprocess folder", ("pass the --preprocess_path the checkpoint was "
                                                   "trained with")
            elif key == "ckpt_format_version":
                where, fix = "code", "train again with this version"
            else:
                where, fix = "config", (f"pass --{key} {have} or the config it was trained with "
                                        f"(config.yaml next to it)")
            raise CheckpointError(f"checkpoint {path!r} has {key}={have!r} but the {where} has "
                                  f"{key}={want!r}: {fix}")


def load_into(net, params, path, keep_own=()):
    """Load weights; a missing parameter or a shape that differs is an error, not a silent skip.

    Weights saved from inside the training wrapper carry a ``net.`` prefix; a bare
    SentimentNet takes them without it. Parameters named in ``keep_own`` (e.g. the
    optimizer's ``learning_rate`` schedule, which comes from the config) keep the net's value.
    """
    net_params = {p.name: p for p in net.get_parameters()}
    net_names = set(net_params)
    params = {(k[4:] if k not in net_names and k.startswith("net.") and k[4:] in net_names else k): v
              for k, v in params.items()}
    keep_own = tuple(keep_own)
    params = {k: v for k, v in params.items() if not k.startswith(keep_own)}
    for name, value in params.items():
        if name in net_params and tuple(value.shape) != tuple(net_params[name].shape):
            raise CheckpointError(f"checkpoint {path!r} has {name} of shape {tuple(value.shape)}, the "
                                  f"network has {tuple(net_params[name].shape)}: use the config the "
                                  f"checkpoint was trained with")
    not_loaded, _ = ms.load_param_into_net(net, params, strict_load=True)
    missing = [n for n in not_loaded if n in net_names and not n.startswith(keep_own)]
    if missing:
        raise CheckpointError(f"checkpoint {path!r} has no value for parameter {missing[0]!r}: it was "
                              f"saved from another network; use a checkpoint written by train.py")
