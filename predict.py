"""Classify raw reviews: python predict.py --ckpt_file CKPT --preprocess_path DIR [options] "text one" "text two".

Or --input_file FILE (one review per line; "-" reads stdin) and --output_file OUT. Instead of
--ckpt_file, --mindir_file or --onnx_file run an exported model (see export.py). Writes one
JSON line per review, in input order: {"label": "positive"|"negative", "score": P(positive)}.
The network settings come from the checkpoint (or the exported model's .json), the tokenizer
and vocabulary from the preprocess folder: no --config_path is needed. Put the texts after
the options.
"""
import json
import os
import sys

os.environ.setdefault("GLOG_v", "3")  # MindSpore's C++ logs: errors only unless asked for

from src.cli import run  # noqa: E402
from src.model_utils.config import get_config  # noqa: E402

TEXTS_ARG = (("texts",), {"nargs": "*", "metavar": "TEXT", "help": "reviews to classify (or --input_file)"})


class InputError(ValueError):
    """Nothing to classify, or conflicting inputs."""


def read_reviews(path):
    """Lines of a UTF-8 file or stdin ("-"); a final newline does not make an extra review."""
    if path == "-":
        raw = sys.stdin.buffer.read()
        where = "standard input"
    else:
        if os.path.isdir(path):
            raise InputError(f"input file {path!r} is a directory")
        with open(path, "rb") as f:
            raw = f.read()
        where = f"input file {path!r}"
    text = raw.decode("utf-8-sig", errors="replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InputError(f"{where} is empty: nothing to classify (one review per line)")
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def write_lines(lines, path):
    """Write to stdout, or atomically to ``path`` (never a half-written file under its name)."""
    body = "".join(line + "\n" for line in lines)
    if not path or path == "-":
        sys.stdout.write(body)
        sys.stdout.flush()
        return
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = f"{os.path.abspath(path)}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(body)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main(argv):
    cfg = get_config(argv, prog="predict.py", description=__doc__, extra=[TEXTS_ARG])
    if cfg.print_config:
        print(cfg)
        return 0
    if cfg.input_file and cfg.texts:
        raise InputError("give review texts or --input_file, not both")
    if cfg.input_file:
        texts = read_reviews(cfg.input_file)
    elif cfg.texts:
        texts = list(cfg.texts)
    else:
        raise InputError("nothing to classify: pass review texts after the options, or --input_file FILE")
    import time

    from src.model_utils.device_adapter import get_device_id
    from src.predictor import Predictor

    t0 = time.time()
    predictor = Predictor(cfg.preprocess_path, ckpt_file=cfg.ckpt_file or None,
                          mindir_file=cfg.mindir_file or None, onnx_file=cfg.onnx_file or None,
                          batch_size=cfg.batch_size, device_target=cfg.device_target,
                          device_id=get_device_id(cfg))
    t1 = time.time()
    results = predictor.predict(texts)
    t2 = time.time()
    write_lines([json.dumps(r) for r in results], cfg.output_file)
    summary = (f"{len(results)} review{'s' if len(results) != 1 else ''} classified in {t2 - t1:.2f}s "
               f"(model loaded in {t1 - t0:.1f}s) "
               f"with {predictor.model.source}")
    if cfg.output_file and cfg.output_file != "-":
        print(f"{summary}; results in {os.path.abspath(cfg.output_file)}")
    else:
        print(summary, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
