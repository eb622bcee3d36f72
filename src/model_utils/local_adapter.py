"""Device and rank information of a local (non-ModelArts) run, read from the environment.

Launchers and msrun/mpirun export DEVICE_ID, RANK_SIZE and RANK_ID; a plain
``python train.py`` sets none of them, which means a single device 0.
"""
import os
import re

_DIGITS = re.compile(r"[0-9]+")


def env_int(name, default, minimum=0):
    """Integer value of environment variable ``name``; unset or blank means ``default``.

    Only plain ASCII digits are accepted: ``int()`` alone would also take "+3", "1_0"
    or non-ASCII digits, which no launcher produces and which hide typos.
    """
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    text = raw.strip()
    if _DIGITS.fullmatch(text) and int(text) >= minimum:
        return int(text)
    kind = "a non-negative integer" if minimum <= 0 else f"an integer >= {minimum}"
    raise ValueError(f"environment variable {name} must be {kind}, got {raw!r}")


def get_device_id():
    return env_int("DEVICE_ID", 0)


def get_device_num():
    return env_int("RANK_SIZE", 1, minimum=1)


def get_rank_id():
    rank_id = env_int("RANK_ID", 0)
    device_num = get_device_num()
    if rank_id >= device_num:
        # a rank outside the group would hang collective communication later on
        raise ValueError(f"environment variable RANK_ID must be less than RANK_SIZE ({device_num}), "
                         f"got {os.environ.get('RANK_ID')!r}")
    return rank_id


def get_job_id():
    return "Local Job"
