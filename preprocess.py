"""Write a split of a preprocess folder as binary files for inference on exported models.

python preprocess.py --preprocess_path DIR [--result_path ./preprocess_Result] [--test_split test]
[--batch_size 64]

DIR is the folder train.py wrote (meta.json, vocab.txt, MindRecords); aclImdb is not read.
Writes RESULT_PATH/00_data/*.bin (int32 ids, rows x max_len, 0-padded), 01_data/*.bin (int32
lengths), label_ids.npy (int32 labels in file order) and infer_info.json; one file pair per
batch of --batch_size reviews (the last one may be shorter).
"""
import os
import sys

os.environ.setdefault("GLOG_v", "3")  # MindSpore's C++ logs: errors only unless asked for

from src.cli import run  # noqa: E402
from src.model_utils.config import get_config  # noqa: E402


def main(argv):
    cfg = get_config(argv, prog="preprocess.py", description=__doc__)
    if cfg.print_config:
        print(cfg)
        return 0
    import json
    import shutil
    import time

    import numpy as np

    from src import dataset as data_lib
    from src import infer_io

    t0 = time.time()
    folder = cfg.preprocess_path
    if not os.path.isdir(folder):
        raise data_lib.PreprocessError(f"preprocess folder {folder!r} does not exist: pass the folder "
                                       f"training used (--preprocess_path)")
    meta, _, _ = data_lib.load_folder(folder)
    split = cfg.test_split
    if split not in meta["counts"]:
        raise data_lib.PreprocessError(f"preprocess folder {folder!r} has no {split} split")
    max_len = meta["settings"]["max_len"]
    out = os.path.abspath(cfg.result_path)
    tmp = f"{out}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, infer_io.IDS_DIR))
    os.makedirs(os.path.join(tmp, infer_io.LENGTHS_DIR))
    try:
        data = data_lib.create_dataset(folder, split, cfg.batch_size, max_len)
        labels, files = [], []
        for i, (ids, length, label) in enumerate(data.create_tuple_iterator(num_epochs=1, output_numpy=True)):
            name = infer_io.batch_name(f"lstm_{split}_bs{cfg.batch_size}", i)
            np.ascontiguousarray(ids, np.int32).tofile(os.path.join(tmp, infer_io.IDS_DIR, f"{name}.bin"))
            np.ascontiguousarray(length, np.int32).tofile(os.path.join(tmp, infer_io.LENGTHS_DIR, f"{name}.bin"))
            labels.append(np.asarray(label, np.int32))
            files.append({"name": name, "rows": int(len(label))})
        labels = np.concatenate(labels) if labels else np.zeros(0, np.int32)
        np.save(os.path.join(tmp, infer_io.LABELS_FILE), labels, allow_pickle=False)
        info = {"split": split, "num_reviews": int(len(labels)), "max_len": max_len,
                "batch_size": cfg.batch_size, "files": files, "vocab_hash": meta["vocab_hash"],
                "vocab_size": meta["vocab_size"], "preprocess_path": os.path.abspath(folder)}
        with open(os.path.join(tmp, infer_io.INFO_FILE), "w", encoding="utf-8") as f:
            json.dump(info, f, indent=2)
            f.write("\n")
        infer_io.fresh_dir(out, infer_io.is_data_dir)
        os.rmdir(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"wrote {len(labels)} {split} reviews ({len(files)} files of up to {cfg.batch_size} x {max_len} "
          f"int32 ids) to {out} in {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
