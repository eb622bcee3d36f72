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
