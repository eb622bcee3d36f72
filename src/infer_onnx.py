"""Run an exported ONNX graph over preprocess.py's binary files with onnxruntime.

python -m src.infer_onnx --onnx_file lstm.onnx [--result_path ./preprocess_Result]
[--result_dir ./result_Files] [--device_target CPU|GPU]

The graph has the static batch it was exported with (export.py --export_batch_size): input
files are cut into chunks of that batch and a short last chunk is padded, then only the real
rows are written. Output: RESULT_DIR/<name>_0.bin float32 logits, as src.infer_mindir writes.
onnxruntime is an optional dependency (pip install onnxruntime).
"""
import sys

from src.cli import run
from src.model_utils.config import get_config


def main(argv):
    cfg = get_config(argv, prog="python -m src.infer_onnx", description=__doc__)
    if cfg.print_config:
        print(cfg)
        return 0
    from src import infer_io
    from src.inference import OnnxModel, require_onnxruntime

    require_onnxruntime()
    if not cfg.onnx_file:
        raise infer_io.InferDataError("no model given: pass --onnx_file PATH")
    info = infer_io.read_info(cfg.result_path)
    model = OnnxModel(cfg.onnx_file, {k: info[k] for k in ("vocab_hash", "vocab_size", "max_len") if k in info},
                      cfg.device_target)
    if model.steps is not None and model.steps != info["max_len"]:
        raise infer_io.InferDataError(f"the ONNX graph takes {model.steps} tokens per review but "
                                      f"{cfg.result_path!r} has max_len {info['max_len']}")
    infer_io.infer_files(model, cfg.result_path, cfg.result_dir, batch=model.batch, expected=model.info)
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
