"""Config from a three-document YAML (values, help, choices) plus `--key value` overrides.

Nothing here runs at import time: entry scripts call ``get_config(argv)`` and pass the
resulting object down explicitly.
"""
import argparse
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CONFIG = os.path.join(ROOT, "default_config.yaml")

_TRUE = {"true", "1", "yes", "y", "on", "t"}
_FALSE = {"false", "0", "no", "n", "off", "f"}


class ConfigError(ValueError):
    """The YAML or a command-line value is not acceptable."""


class Config:
    """Attribute access over a flat dict of settings."""

    def __init__(self, values):
        self.__dict__.update(values)

    def to_dict(self):
        return dict(self.__dict__)

    def __repr__(self):
        return "\n".join(f"{k}: {v!r}" for k, v in sorted(self.__dict__.items()))


def parse_bool(text, key="value"):
    if isinstance(text, bool):
        return text
    s = str(text).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ConfigError(f"--{key} expects true or false, got {text!r}")


def load_yaml(path):
    """(values, help, choices) from the YAML's three documents."""
    try:
        with open(path, encoding="utf-8") as f:
            docs = list(yaml.safe_load_all(f))
    except FileNotFoundError:
        raise ConfigError(f"config file {path!r} does not exist: check --config_path") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"config file {path!r} is not valid YAML{where}: fix its syntax") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path!r} is not UTF-8 text: save it as UTF-8") from None
    docs = [d if d is not None else {} for d in docs] + [{}, {}, {}]
    values, helps, choices = docs[:3]
    for name, doc in (("values", values), ("help", helps), ("choices", choices)):
        if not isinstance(doc, dict):
            raise ConfigError(f"config file {path!r}: the {name} document must be a mapping")
    return values, helps, choices


def _coerce(key, value, default):
    """Cast a command-line or YAML value to the type of the default config's value."""
    if default is None or value is None:
        return value
    try:
        if isinstance(default, bool):
            return parse_bool(value, key)
        if isinstance(default, int):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value) if not isinstance(value, str) else int(value.strip())
        if isinstance(default, float):
            return float(value)
        if isinstance(default, list):
            if isinstance(value, str):
                value = yaml.safe_load(value)
            if not isinstance(value, list):
                raise ValueError
            return value
        if isinstance(default, str):
            return str(value)
    except ConfigError:
        raise
    except (TypeError, ValueError):
        kind = type(default).__name__
        raise ConfigError(f"--{key} expects a value of type {kind}, got {value!r}") from None
    return value


def _check(values, choices, schema):
    for key, allowed in choices.items():
        if key in values and isinstance(allowed, list) and values[key] not in allowed:
            raise ConfigError(f"--{key} must be one of {allowed}, got {values[key]!r}")
    for key, (low, what) in schema.items():
        if key in values and values[key] is not None and values[key] < low:
            raise ConfigError(f"--{key} must be {what}, got {values[key]!r}")


# lower bounds of numeric keys: (minimum, words for the message)
BOUNDS = {
    "batch_size": (1, "a positive integer"), "num_epochs": (1, "a positive integer"),
    "num_hiddens": (1, "a positive integer"), "num_layers": (1, "a positive integer"),
    "embed_size": (1, "a positive integer"), "max_len": (1, "a positive integer"),
    "num_classes": (2, "at least 2"), "learning_rate": (0.0, "non-negative"),
    "save_checkpoint_steps": (1, "a positive integer"), "keep_checkpoint_max": (1, "a positive integer"),
    "eval_interval": (1, "a positive integer"), "eval_start_epoch": (0, "non-negative"),
    "min_count": (1, "a positive integer"), "max_vocab": (0, "non-negative (0 = no cap)"),
    "valid_size": (0, "non-negative"), "device_num": (1, "a positive integer"),
    "device_id": (0, "non-negative"), "dropout": (0.0, "in [0, 1)"),
    "embed_dropout": (0.0, "in [0, 1)"), "bucket_width": (0, "non-negative"),
    "head_len": (0, "non-negative"), "warmup_epochs": (0, "non-negative"),
    "export_batch_size": (1, "a positive integer"),
    "cpu_threads": (0, "non-negative (0 = one per core)"),
    "max_batch_tokens": (0, "non-negative (0 = no cap)"),
    "ema_decay": (0.0, "in [0, 1)"),
}


def build_parser(values, helps, choices, prog=None, description=None):
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--config_path", default=DEFAULT_CONFIG, help="YAML config file")
    parser.add_argument("--print_config", action="store_true", help="print the resolved config and exit")
    for key, default in values.items():
        h = str(helps.get(key, ""))
        if isinstance(choices.get(key), list):
            h += f" (choices: {', '.join(map(str, choices[key]))})"
        parser.add_argument(f"--{key}", type=str, default=None, metavar=type(default).__name__.upper()
                            if default is not None else "VALUE", help=f"{h} [default: {default!r}]")
    return parser


def get_config(argv=None, prog=None, description=None, extra=None):
    """Resolve YAML + command line into a Config. ``extra`` adds script-only options.

    Raises ConfigError for anything bad, with the key in the message.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config_path", default=DEFAULT_CONFIG)
    known, _ = pre.parse_known_args(argv)
    path = known.config_path
    values, helps, choices = load_yaml(path)
    if path != DEFAULT_CONFIG and os.path.isfile(DEFAULT_CONFIG):
        # keys the default config knows give types for other files' values
        base = load_yaml(DEFAULT_CONFIG)
        types = base[0]
        helps = dict(base[1], **helps)
        unknown = sorted(set(values) - set(base[0]))
        if unknown:
            raise ConfigError(f"config file {path!r} has unknown key {unknown[0]!r}: remove it or fix "
                              f"its spelling (see --help for the keys)")
        merged = dict(base[0])
        merged.update(values)
        values = merged
        choices = dict(base[2], **choices)
    else:
        types = values
    parser = build_parser(values, helps, choices, prog, description)
    for args, kwargs in (extra or []):
        parser.add_argument(*args, **kwargs)
    ns, rest = parser.parse_known_args(argv)
    if rest:
        bad = next((a for a in rest if a.startswith("-")), rest[0])
        raise ConfigError(f"unknown option {bad!r} (see --help for the keys)")
    resolved = {}
    for key, default in values.items():
        cli = getattr(ns, key)
        raw = cli if cli is not None else default
        resolved[key] = _coerce(key, raw, types.get(key, default))
    _check(resolved, choices, BOUNDS)
    for key in ("dropout", "embed_dropout", "ema_decay"):
        if key in resolved and resolved[key] >= 1:
            raise ConfigError(f"--{key} must be in [0, 1), got {resolved[key]!r}")
    resolved["config_path"] = os.path.abspath(path)
    for args, kwargs in (extra or []):
        dest = kwargs.get("dest") or args[0].lstrip("-").replace("-", "_")
        resolved[dest] = getattr(ns, dest)
    cfg = Config(resolved)
    cfg.print_config = ns.print_config
    return cfg


def save_config(cfg, path):
    """Write the resolved config as YAML (atomically) next to a run's outputs."""
    from ..fsutil import atomic_path  # fsutil imports this module
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        yaml.safe_dump({k: v for k, v in cfg.to_dict().items() if k != "print_config"}, f,
                       sort_keys=True)
