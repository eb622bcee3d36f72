"""A trained model as a function of padded batches: from a checkpoint, a MINDIR or an ONNX file.

Every model is called as ``model(ids, lengths) -> logits`` on numpy arrays (ids int32
(batch, steps), lengths int32 (batch,)) and says what it accepts:

- ``steps``: the padded width it needs (None: any width up to max_len);
- ``batch``: the batch it needs (None: any batch; ONNX graphs have a static batch).
"""
import os

import numpy as np

from . import checkpoint as ckpt_lib
from . import exporter


class InferenceError(ValueError):
    """A model file is missing, unreadable or cannot run here."""


_DEVICE = []  # (device_target, device_id) set up by init_device in this process


def init_device(device_target="CPU", device_id=0):
    """Graph mode on the given device (what the entry scripts do through init_runtime).

    Once per process: MindSpore refuses some settings (CPU threads) a second time, so later
    predictors on the same device reuse the context and another device is an error.
    """
    from .model_utils.config import Config
    from .model_utils.runtime import init_runtime
    if _DEVICE:
        if _DEVICE[0] != (device_target, device_id):
            raise InferenceError(f"this process already runs on {_DEVICE[0][0]} device {_DEVICE[0][1]}; "
                                 f"MindSpore cannot switch to {device_target} device {device_id}")
        return
    init_runtime(Config({"device_target": device_target, "distribute": False, "cpu_threads": 0}), device_id)
    _DEVICE.append((device_target, device_id))


def config_from_checkpoint(info, ckpt_file, device_target="CPU"):
    """The network settings a checkpoint records (train.py stores them in every checkpoint)."""
    from .model_utils.config import Config
    if "ckpt_format_version" not in info or any(k not in info for k in ckpt_lib.SHAPE_KEYS):
        raise ckpt_lib.CheckpointError(f"checkpoint {ckpt_file!r} carries no provenance (not written by this "
                                       f"project's train.py)")
    return Config({"embed_size": int(info["embed_size"]), "num_hiddens": int(info["num_hiddens"]),
                   "num_layers": int(info["num_layers"]), "bidirectional": bool(info["bidirectional"]),
                   "readout": str(info["readout"]), "num_classes": int(info["num_classes"]),
                   "dropout": 0.0, "embed_dropout": 0.0, "train_embedding": False,
                   "device_target": device_target})


def _first_line(e):
    text = str(e).strip()
    return text.splitlines()[0][:200] if text else type(e).__name__


class CheckpointModel:
    """The network rebuilt from a checkpoint; one dynamic-shape graph for every batch and width.

    With ``cfg`` the checkpoint is checked against the config as in eval.py; without it the
    network shape comes from the checkpoint itself. Either way its vocabulary hash, size
    and max_len must match the preprocess folder's ``meta``.
    """

    def __init__(self, ckpt_file, meta, cfg=None, device_target="CPU"):
        from mindspore import Tensor

        from .restore import net_from_checkpoint
        from .training import dynamic_shapes
        if not ckpt_file:
            raise ckpt_lib.CheckpointError("no checkpoint given: pass --ckpt_file PATH")
        params, info = ckpt_lib.read(ckpt_file)
        cfg = cfg or config_from_checkpoint(info, ckpt_file, device_target)
        self.net = net_from_checkpoint(cfg, params, info, meta, meta["vocab_size"], None, ckpt_file)
        dynamic_shapes(self.net, 2)
        self._tensor = Tensor
        self.num_classes = cfg.num_classes
        self.readout = cfg.readout
        # the seed's readout reads the last padded step, so its width must be max_len
        self.steps = meta["settings"]["max_len"] if cfg.readout == "first_last" else None
        self.batch = None
        self.source = os.path.abspath(ckpt_file)

    def __call__(self, ids, lengths):
        return self.net(self._tensor(ids), self._tensor(lengths)).asnumpy()


class MindirModel:
    """An exported MINDIR run through mindspore.load + nn.GraphCell (dynamic batch, width max_len)."""

    def __init__(self, mindir_file, expected=None):
        import mindspore as ms
        from mindspore import Tensor, nn
        if not mindir_file or not os.path.isfile(mindir_file):
            raise InferenceError(f"MINDIR file {mindir_file!r} does not exist")
        self.info = exporter.read_sidecar(mindir_file) or {}
        if expected:
            exporter.check_sidecar(self.info, expected, mindir_file)
        try:
            graph = ms.load(mindir_file)
        except Exception as e:  # noqa: BLE001 - MindSpore raises RuntimeError/ValueError
            raise InferenceError(f"cannot load MINDIR {mindir_file!r}: {_first_line(e)}") from None
        self.cell = nn.GraphCell(graph)
        self._tensor = Tensor
        self.steps = self.info.get("max_len") or (expected or {}).get("max_len")
        self.batch = None
        self.num_classes = self.info.get("num_classes", 2)
        self.readout = self.info.get("readout")
        self.source = os.path.abspath(mindir_file)

    def __call__(self, ids, lengths):
        return self.cell(self._tensor(ids), self._tensor(lengths)).asnumpy()


def require_onnxruntime():
    """The onnxruntime module, or a one-line error naming the package to install."""
    try:
        import onnxruntime
    except ImportError:
        raise InferenceError("ONNX inference needs onnxruntime, which is not installed: "
                             "pip install onnxruntime (onnxruntime-gpu for GPU)") from None
    return onnxruntime


class OnnxModel:
    """An exported ONNX graph run through onnxruntime (static batch and width)."""

    def __init__(self, onnx_file, expected=None, device_target="CPU", threads=0):
        ort = require_onnxruntime()
        if not onnx_file or not os.path.isfile(onnx_file):
            raise InferenceError(f"ONNX file {onnx_file!r} does not exist")
        self.info = exporter.read_sidecar(onnx_file) or {}
        if expected:
            exporter.check_sidecar(self.info, expected, onnx_file)
        if device_target == "GPU":
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise InferenceError("device_target GPU: this onnxruntime has no CUDAExecutionProvider "
                                     "(install onnxruntime-gpu) ; use --device_target CPU")
            providers = ["CUDAExecutionProvider"]
        elif device_target == "CPU":
            providers = ["CPUExecutionProvider"]
        else:
            raise InferenceError(f"onnxruntime runs on CPU or GPU, not {device_target}")
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        try:
            self.session = ort.InferenceSession(onnx_file, opts, providers=providers)
        except Exception as e:  # noqa: BLE001 - onnxruntime raises its own exception types
            raise InferenceError(f"cannot load ONNX {onnx_file!r}: {_first_line(e)}") from None
        inputs = self.session.get_inputs()
        if len(inputs) != 2:
            raise InferenceError(f"ONNX {onnx_file!r} has {len(inputs)} inputs, expected ids and lengths")
        self.names = [i.name for i in inputs]
        shape = inputs[0].shape
        self.batch = shape[0] if isinstance(shape[0], int) else None
        self.steps = shape[1] if isinstance(shape[1], int) else None
        self.num_classes = self.info.get("num_classes", 2)
        self.readout = self.info.get("readout")
        self.source = os.path.abspath(onnx_file)

    def __call__(self, ids, lengths):
        feed = {self.names[0]: np.ascontiguousarray(ids, np.int32),
                self.names[1]: np.ascontiguousarray(lengths, np.int32)}
        return self.session.run(None, feed)[0]
