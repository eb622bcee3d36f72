"""Headless PNGs of a run: training curves and a confusion matrix (matplotlib, Agg backend)."""

from .fsutil import atomic_path


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")  # no display on servers, in CI or in launcher background jobs
    import matplotlib.pyplot as plt
    return plt


def _save(fig, path):
    plt = _pyplot()
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)


def plot_curves(history, path, title):
    """Loss (left axis) and evaluation accuracy (right axis) against epoch."""
    plt = _pyplot()
    epochs = [e["epoch"] for e in history]
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    lines = ax.plot(epochs, [e["loss"] for e in history], "o-", color="tab:blue", label="train loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean training loss")
    ax.set_xticks(epochs)
    evals = [e for e in history if "eval" in e]
    if evals:
        acc_ax = ax.twinx()
        split = evals[0]["eval"].get("split", "eval")
        lines += acc_ax.plot([e["epoch"] for e in evals], [e["eval"]["acc"] for e in evals], "s-",
                             color="tab:orange", label=f"{split} accuracy")
        acc_ax.set_ylabel(f"{split} accuracy")
    ax.legend(lines, [ln.get_label() for ln in lines], loc="center right")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    _save(fig, path)


def plot_confusion(matrix, path, title, labels=("negative", "positive")):
    """Counts per (true, predicted) cell, rows = true label."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 4.0))
    image = ax.imshow(matrix, cmap="Blues")
    peak = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            ax.text(j, i, str(count), ha="center", va="center",
                    color="white" if count > peak / 2 else "black")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="reviews")
    _save(fig, path)
