"""Run an exported MINDIR over preprocess.py's binary files (CPU/GPU; Ascend uses ascend310_infer/).

python -m src.infer_mindir --mindir_file lstm.mindir [--result_path ./preprocess_Result]
[--result_dir ./result_Files] [--device_target CPU]

Loads the graph with mindspore.load + nn.GraphCell and writes RESULT_DIR/<name>_0.bin (float32
logits) for every RESULT_PATH/00_data/<name>.bin, the files the C++ app writes on Ascend, so
postprocess.py scores every device the same way.
"""
import os
import sys

os.environ.setdefault("GLOG_v", "3")  # MindSpore's C++ logs: errors only unless asked for

from src.cli import run  # noqa: E402
from src.model_utils.config import get_config  # noqa: E402


def main(argv):
    cfg = get_config(argv, prog="python -m src.infer_mindir", description=__doc__)
    if cfg.print_config:
        print(cfg)
        return 0
    from src import infer_io
    from src.inference import MindirModel, init_device
    from src.model_utils.device_adapter import get_device_id

    if not cfg.mindir_file:
        raise infer_io.InferDataError("no model given: pass --mindir_file PATH")
    info = infer_io.read_info(cfg.result_path)
    init_device(cfg.device_target, get_device_id(cfg))
    model = MindirModel(cfg.mindir_file, {k: info[k] for k in ("vocab_hash", "vocab_size", "max_len") if k in info})
    infer_io.infer_files(model, cfg.result_path, cfg.result_dir, batch=None, expected=model.info)
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
