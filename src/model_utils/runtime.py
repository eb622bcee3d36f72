"""Device, execution mode and (for data-parallel runs) the communication group."""
import os

import mindspore as ms


class DeviceError(RuntimeError):
    """The requested device is not available in this MindSpore installation."""


def check_device(target):
    if not ms.hal.is_available(target):
        raise DeviceError(f"device_target {target} is not available on this machine "
                          f"(this MindSpore build/hardware supports CPU"
                          f"{'' if target == 'CPU' else ' only'}); use --device_target CPU")


def embed_size_for(target, embed_size):
    """Ascend's LSTM kernels want sizes in multiples of 16, so the table is zero-padded there."""
    if target == "Ascend" and embed_size % 16:
        return embed_size + 16 - embed_size % 16
    return embed_size


def init_runtime(cfg, device_id=0):
    """Set mode and device; returns (rank_id, group_size)."""
    check_device(cfg.device_target)
    ms.set_context(mode=ms.GRAPH_MODE)
    if cfg.device_target == "CPU":
        ms.set_device("CPU")
    else:
        ms.set_device(cfg.device_target, device_id)
    if not cfg.distribute:
        return 0, 1
    from mindspore.communication import get_group_size, get_rank, init
    init()
    rank, size = get_rank(), get_group_size()
    ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL,
                                 gradients_mean=True, device_num=size)
    return rank, size


def quiet_logs(debug=False):
    """MindSpore's C++ and Python logs stay at ERROR unless GLOG_v is set or debug is on."""
    if debug:
        os.environ.setdefault("GLOG_v", "1")
    os.environ.setdefault("GLOG_v", "3")
