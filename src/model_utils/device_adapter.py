"""Device and rank information for the platform the config says we run on.

The config is passed in rather than imported so that nothing is parsed at import time.
"""
from . import local_adapter, moxing_adapter


def _adapter(config):
    return moxing_adapter if getattr(config, "enable_modelarts", False) else local_adapter


def get_device_id(config):
    return _adapter(config).get_device_id()


def get_device_num(config):
    return _adapter(config).get_device_num()


def get_rank_id(config):
    return _adapter(config).get_rank_id()


def get_job_id(config):
    return _adapter(config).get_job_id()


def check_env(config):
    """Validate DEVICE_ID, RANK_SIZE and RANK_ID before any work; returns (device_id, device_num, rank_id).

    A bad value becomes one ValueError naming the variable and what to do about it.
    """
    try:
        return get_device_id(config), get_device_num(config), get_rank_id(config)
    except ValueError as e:
        raise ValueError(f"{e}: unset it for a single-device run, or start distributed training "
                         f"with msrun or scripts/run_distribute_*.sh, which set it") from None
