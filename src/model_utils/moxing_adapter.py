"""Running on Huawei ModelArts: device/rank getters, OBS <-> local copies and a wrapper.

``moxing`` exists only inside ModelArts images, so it is imported when a copy is
actually needed; importing this module off-cloud is always safe.
"""
import functools
import hashlib
import os
import re
import time

# ModelArts sets the same DEVICE_ID / RANK_SIZE / RANK_ID variables as local launchers
from .local_adapter import get_device_id, get_device_num, get_rank_id  # noqa: F401

# Where the copy locks live; a module attribute so tests can point it elsewhere.
LOCK_DIR = "/tmp"
# One server holds at most this many devices; each server copies data once.
DEVICES_PER_SERVER = 8

_MISSING = "enable_modelarts is true but the moxing package is not installed (it exists only on ModelArts)"


def get_job_id():
    job_id = os.environ.get("JOB_ID", "").strip()
    return job_id or "default"


def _import_moxing():
    try:
        import moxing  # pylint: disable=import-outside-toplevel
    except ModuleNotFoundError as e:
        # a moxing that is present but misses one of its own dependencies is a
        # different problem; let that error through unchanged
        if e.name != "moxing":
            raise
        raise RuntimeError(_MISSING) from None
    return moxing


def lock_path(to_path):
    """Lock file of one copy: per job (a rerun in a new job never sees an old lock) and
    per destination (the data and checkpoint syncs of one job do not release each other)."""
    job = re.sub(r"[^A-Za-z0-9_.-]", "_", get_job_id())
    digest = hashlib.sha256(str(to_path).rstrip("/").encode("utf-8")).hexdigest()[:16]
    return os.path.join(LOCK_DIR, f"copy_sync_{job}_{digest}.lock")


def _write_lock(path, status):
    # waiters poll for the file's existence, so it must appear with its full content
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(status + "\n")
    os.replace(tmp, path)


def sync_data(from_path, to_path, rank_id, device_num, timeout=3600.0, poll_interval=1.0):
    """Copy ``from_path`` to ``to_path`` once per server; the other ranks wait for it.

    The copier is the process with ``rank_id % min(device_num, 8) == 0``. It writes the
    lock file when done (also when the copy failed, so waiters stop at once with the
    copier's error instead of running into the timeout).
    """
    if device_num < 1:
        raise ValueError(f"device_num must be at least 1, got {device_num!r}")
    if not 0 <= rank_id < device_num:
        raise ValueError(f"rank_id must be in [0, device_num={device_num}), got {rank_id!r}")
    per_server = min(device_num, DEVICES_PER_SERVER)
    lock = lock_path(to_path)

    if rank_id % per_server == 0:
        moxing = _import_moxing()
        if os.path.exists(lock):
            os.remove(lock)
        print(f"rank {rank_id}: copying {from_path} -> {to_path}", flush=True)
        start = time.time()
        try:
            moxing.file.copy_parallel(from_path, to_path)
        except Exception as e:
            _write_lock(lock, f"error: {type(e).__name__}: {e}".replace("\n", " "))
            raise
        _write_lock(lock, "ok")
        print(f"rank {rank_id}: copied {from_path} -> {to_path} in {time.time() - start:.1f} s", flush=True)
        return

    copier = rank_id - rank_id % per_server
    deadline = time.monotonic() + timeout
    while not os.path.exists(lock):
        if time.monotonic() >= deadline:
            raise TimeoutError(f"rank {rank_id}: waited {timeout:g} s for rank {copier} to copy "
                               f"{from_path} -> {to_path}, but its lock file {lock} never appeared")
        time.sleep(poll_interval)
    with open(lock, encoding="utf-8") as f:
        status = f.read().strip()
    if status != "ok":
        raise RuntimeError(f"rank {rank_id}: rank {copier} failed to copy {from_path} -> {to_path} "
                           f"({status})")


def moxing_wrapper(config, pre_process=None, post_process=None):
    """Decorator: on ModelArts, bring the inputs in before and the outputs out after the call.

    With ``config.enable_modelarts`` false the function is called unchanged. Otherwise:
    data_url -> data_path and checkpoint_url -> load_path (each only when set), make
    output_path, ``pre_process()``, the function, ``post_process()``, then
    output_path -> train_url (when set). The hooks take no arguments; bind the config
    with a closure or ``functools.partial``. Outputs are uploaded only when the
    function returns normally.
    """
    def decorator(func):
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            if not getattr(config, "enable_modelarts", False):
                return func(*args, **kwargs)
            if os.environ.get("MS_ROLE") == "MS_SCHED":
                # msrun's scheduler runs the script too, only to coordinate the workers in
                # init(); as "rank 0" it would copy alongside the real rank 0
                return func(*args, **kwargs)
            # fail before any work rather than after a long training run
            _import_moxing()
            rank_id = get_rank_id()
            device_num = get_device_num()
            if getattr(config, "data_url", ""):
                sync_data(config.data_url, config.data_path, rank_id, device_num)
            if getattr(config, "checkpoint_url", ""):
                sync_data(config.checkpoint_url, config.load_path, rank_id, device_num)
            os.makedirs(config.output_path, exist_ok=True)
            if pre_process is not None:
                pre_process()
            result = func(*args, **kwargs)
            if post_process is not None:
                post_process()
            if getattr(config, "train_url", ""):
                sync_data(config.output_path, config.train_url, rank_id, device_num)
            return result
        return wrapped
    return decorator
