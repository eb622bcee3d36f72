"""Device, execution mode and (for data-parallel runs) the communication group."""
import functools
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


def cpu_threads(requested):
    """Kernel threads for CPU runs: the cores this process may use, unless set explicitly."""
    if requested:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# seconds a CPU rank waits in a collective (MS_CPU_COMM_OP_TIMEOUT, when not set already)
CPU_COMM_TIMEOUT = 3600


def init_runtime(cfg, device_id=0):
    """Set mode and device; returns (rank_id, group_size)."""
    check_device(cfg.device_target)
    ms.set_context(mode=ms.GRAPH_MODE)
    if cfg.device_target == "CPU":
        ms.set_device("CPU")
        ms.device_context.cpu.op_tuning.threads_num(cpu_threads(cfg.cpu_threads))
    else:
        ms.set_device(cfg.device_target, device_id)
    if not cfg.distribute:
        return 0, 1
    from mindspore.communication import get_group_size, get_rank, init
    # CPU collectives give up after 30 s by default: too short for a rank that waits while
    # rank 0 preprocesses, evaluates or saves a checkpoint
    os.environ.setdefault("MS_CPU_COMM_OP_TIMEOUT", str(CPU_COMM_TIMEOUT))
    init()
    rank, size = get_rank(), get_group_size()
    ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL,
                                 gradients_mean=True, device_num=size)
    return rank, size


def release_free_memory():
    """Hand memory that is free but still held by the C allocator back to the system.

    With dynamic shapes every batch allocates differently sized kernel buffers; glibc keeps
    the freed ones in per-thread arenas, so without this the resident size of a training
    run creeps up by a gigabyte or more. Cheap when called every few dozen steps.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=None)
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none."""
    try:
        import ctypes
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def quiet_logs(debug=False):
    """MindSpore's C++ and Python logs stay at ERROR unless GLOG_v is set or debug is on."""
    if debug:
        os.environ.setdefault("GLOG_v", "1")
    os.environ.setdefault("GLOG_v", "3")
