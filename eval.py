"""Evaluate a checkpoint on the whole test split: python eval.py --ckpt_file CKPT [--key value ...]."""
import os
import sys

os.environ.setdefault("GLOG_v", "3")  # MindSpore's C++ logs: errors only unless asked for

from src.cli import run  # noqa: E402
from src.model_utils.config import get_config  # noqa: E402


def main(argv):
    cfg = get_config(argv, prog="eval.py", description=__doc__)
    if cfg.print_config:
        print(cfg)
        return 0
    from src.fsutil import check_output_file
    from src.model_utils.device_adapter import check_env
    check_env(cfg)
    if cfg.metrics_file:  # fail now rather than after scoring the whole split
        check_output_file(cfg.metrics_file, "metrics_file")
    from src import dataset as data_lib
    from src.fsutil import write_json
    from src.model_utils.device_adapter import get_device_id
    from src.model_utils.moxing_adapter import moxing_wrapper
    from src.model_utils.runtime import init_runtime
    from src.pipeline import split_dataset
    from src.progress import Progress
    from src.restore import restore
    from src.training import dynamic_shapes, evaluate

    @moxing_wrapper(cfg)
    def evaluate_ckpt():
        init_runtime(cfg, get_device_id(cfg))
        net, meta, _ = restore(cfg, cfg.ckpt_file)
        if cfg.test_split not in meta["counts"]:
            raise data_lib.PreprocessError(f"preprocess folder {cfg.preprocess_path!r} has no "
                                           f"{cfg.test_split} split")
        data = split_dataset(cfg, meta, cfg.test_split)
        dynamic_shapes(net, 2)
        metrics = evaluate(net, data, Progress(data.get_dataset_size(), f"eval on {cfg.test_split}",
                                               "batches"))
        print({k: round(metrics[k], 6) for k in ("acc", "precision", "recall", "f1")})
        path = cfg.metrics_file or os.path.join(os.path.dirname(os.path.abspath(cfg.ckpt_file)),
                                                "metrics.json")
        write_json(dict(metrics, split=cfg.test_split, ckpt_file=os.path.abspath(cfg.ckpt_file)), path)
        print(f"{metrics['num_reviews']} {cfg.test_split} reviews in {metrics['seconds']:.1f}s; "
              f"metrics written to {path}")
        if cfg.confusion_png:
            from src.plots import plot_confusion
            png = os.path.splitext(path)[0] + ".png"
            plot_confusion(metrics["confusion_matrix"], png,
                           f"{os.path.basename(cfg.ckpt_file)} on {cfg.test_split} "
                           f"(acc {metrics['acc']:.4f})")
            print(f"confusion matrix drawn to {png}")

    evaluate_ckpt()
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
