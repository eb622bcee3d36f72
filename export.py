"""Export a checkpoint: python export.py --ckpt_file CKPT --file_name NAME --file_format {MINDIR,AIR,ONNX}.

The network is rebuilt from the checkpoint and the preprocess folder training used
(--preprocess_path; neither aclImdb nor GloVe is read). Inputs of the exported graph: ids int32
[batch, max_len] (token ids, 0-padded) and lengths int32 [batch]; output: logits [batch, classes].
MINDIR has a dynamic batch; ONNX has the static batch --export_batch_size; AIR needs Ascend.
NAME.<ext>.json next to the model records its vocabulary, max_len and batch.
"""
import os
import sys

os.environ.setdefault("GLOG_v", "3")  # MindSpore's C++ logs: errors only unless asked for

from src.cli import run  # noqa: E402
from src.model_utils.config import get_config  # noqa: E402


def main(argv):
    cfg = get_config(argv, prog="export.py", description=__doc__)
    if cfg.print_config:
        print(cfg)
        return 0
    from src import exporter
    from src.model_utils.device_adapter import get_device_id
    from src.model_utils.moxing_adapter import moxing_wrapper
    from src.model_utils.runtime import init_runtime
    from src.restore import restore

    # before anything slow: AIR is refused on CPU/GPU with one line
    exporter.check_format(cfg.file_format, cfg.device_target)
    exporter.model_path(cfg.file_name, cfg.file_format)

    @moxing_wrapper(cfg)
    def export_ckpt():
        init_runtime(cfg, get_device_id(cfg))
        net, meta, _ = restore(cfg, cfg.ckpt_file)
        max_len = meta["settings"]["max_len"]
        path = exporter.export_net(net, cfg.file_name, cfg.file_format, max_len, cfg.export_batch_size,
                                   cfg.device_target)
        info = exporter.provenance(cfg, meta, cfg.ckpt_file, cfg.file_format, cfg.export_batch_size, path)
        side = exporter.write_sidecar(info, path)
        batch = "None (dynamic)" if info["batch_size"] is None else info["batch_size"]
        print(f"exported {cfg.file_format} to {path}")
        print(f"inputs: ids int32 [{batch}, {max_len}], lengths int32 [{batch}]; "
              f"output: logits float32 [{batch}, {cfg.num_classes}]")
        print(f"provenance: {side}")

    export_ckpt()
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
