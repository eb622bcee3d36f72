"""Classification metrics from predicted and true labels (positive class = 1)."""
import numpy as np


def binary_metrics(pred, label):
    pred = np.asarray(pred).astype(np.int64)
    label = np.asarray(label).astype(np.int64)
    tp = int(np.sum((pred == 1) & (label == 1)))
    tn = int(np.sum((pred == 0) & (label == 0)))
    fp = int(np.sum((pred == 1) & (label == 0)))
    fn = int(np.sum((pred == 0) & (label == 1)))
    n = len(label)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"acc": (tp + tn) / n if n else 0.0, "precision": precision, "recall": recall,
            "f1": f1, "num_reviews": n,
            "confusion_matrix": [[tn, fp], [fn, tp]]}  # rows: true neg/pos; cols: predicted
