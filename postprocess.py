"""Accuracy of inference on exported models: python postprocess.py [--result_path ./preprocess_Result]
[--result_dir ./result_Files] [--acc_file ./acc.log].

Reads the labels preprocess.py wrote (RESULT_PATH/label_ids.npy) and the float32 logits
inference wrote (RESULT_DIR/<name>_0.bin, one per input file), scores them with eval.py's rule
(positive when P(positive) >= 0.5), prints the metrics and writes them to ACC_FILE.
Needs only numpy.
"""
import os
import sys

from src.cli import run
from src.model_utils.config import get_config


def main(argv):
    cfg = get_config(argv, prog="postprocess.py", description=__doc__)
    if cfg.print_config:
        print(cfg)
        return 0
    import numpy as np

    from src import infer_io
    from src.metrics import binary_metrics

    info = infer_io.read_info(cfg.result_path)
    label_file = os.path.join(cfg.result_path, infer_io.LABELS_FILE)
    if not os.path.isfile(label_file):
        raise infer_io.InferDataError(f"{label_file!r} is missing: run preprocess.py again")
    labels = np.load(label_file, allow_pickle=False)
    logits = [infer_io.read_result(cfg.result_dir, name, infer_io.rows_of(cfg.result_path, name))
              for name in infer_io.list_inputs(cfg.result_path)]
    logits = np.concatenate(logits)
    if len(logits) != len(labels):
        raise infer_io.InferDataError(f"{len(logits)} results for {len(labels)} labels: run preprocess.py "
                                      f"and inference again")
    m = binary_metrics(infer_io.softmax_last(logits) >= 0.5, labels)
    correct = int(round(m["acc"] * m["num_reviews"]))
    lines = [f"accuracy: {m['acc']:.6f} ({correct}/{m['num_reviews']} {info.get('split', '')} reviews)",
             f"precision: {m['precision']:.6f}", f"recall: {m['recall']:.6f}", f"f1: {m['f1']:.6f}",
             f"confusion matrix (rows true neg/pos, columns predicted): {m['confusion_matrix']}"]
    text = "\n".join(lines) + "\n"
    path = os.path.abspath(cfg.acc_file)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    print(text + f"written to {path}", end="\n")
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
