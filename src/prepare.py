"""Preprocess only: build (or reuse, when unchanged) the preprocess folder, then exit.

python -m src.prepare [--config_path FILE] [--key value ...]   (from the repository root)

Takes train.py's options, so the folder is exactly the one train.py with the same options
would use. The distributed launchers run it once before they start the workers, which
then only read the folder (--preprocess false).
"""
import os
import sys

os.environ.setdefault("GLOG_v", "3")  # MindSpore's C++ logs: errors only unless asked for

from src.cli import run  # noqa: E402
from src.model_utils.config import get_config  # noqa: E402


def main(argv):
    cfg = get_config(argv, prog="python -m src.prepare", description=__doc__)
    if cfg.print_config:
        print(cfg)
        return 0
    from src.fsutil import check_output_dir
    from src.pipeline import ensure_preprocessed
    check_output_dir(cfg.preprocess_path, "preprocess_path")
    cfg.preprocess = True
    meta, words, _ = ensure_preprocessed(cfg)
    counts = ", ".join(f"{k} {v}" for k, v in meta["counts"].items())
    print(f"preprocess folder: {os.path.abspath(cfg.preprocess_path)} ({counts}; vocabulary {len(words)})")
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
