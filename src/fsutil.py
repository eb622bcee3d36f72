"""File-system helpers of the writers: early output-folder checks and leftovers of killed runs.

Every artifact is written under a temporary name ``<final>.tmp-<pid>`` (a folder, or a
file; checkpoints end in ``.tmp-<pid>.ckpt``) and renamed into place when whole, so a
``kill -9`` can leave such a temporary behind but never a half-written final artifact.
Temporaries are never read; a later run deletes those whose process is gone.
"""
import contextlib
import errno
import json
import os
import re
import shutil

from .model_utils.config import ConfigError

_STALE_ANY = re.compile(r"\.(?:tmp|old)-(\d+)(?:\.ckpt)?$")

# what to do about an OSError, by errno (used by src.cli for the one-line message)
OS_HINTS = {
    errno.ENOSPC: "free some disk space or choose a folder on another disk, then rerun",
    errno.EDQUOT: "free some disk space or choose a folder on another disk, then rerun",
    errno.EACCES: "choose a path you may write to, or fix its permissions",
    errno.EPERM: "choose a path you may write to, or fix its permissions",
    errno.EROFS: "choose a folder on a writable file system",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another path",
    errno.EISDIR: "pass a file, not a folder",
    errno.ENOENT: "check the path",
    errno.EEXIST: "remove it or choose another path",
}


def check_output_dir(path, key):
    """Refuse, before any work is done, an output folder that cannot be created or written.

    ``key`` is the config key that gave ``path`` (for the message). Nothing is created here.
    """
    if not path:
        raise ConfigError(f"--{key} is empty: pass the folder to write to")
    full = os.path.abspath(path)
    if os.path.exists(full):
        if not os.path.isdir(full):
            raise ConfigError(f"--{key} {path!r} is a file, not a folder: choose another --{key}")
        if not os.access(full, os.W_OK | os.X_OK):
            raise ConfigError(f"--{key} {path!r} is not writable: choose a folder you may write to")
        return
    _check_creatable(full, path, key)


def check_output_file(path, key):
    """Like ``check_output_dir`` for a file that will be written (atomically) at ``path``."""
    full = os.path.abspath(path)
    if os.path.isdir(full):
        raise ConfigError(f"--{key} {path!r} is a folder: pass a file name")
    if os.path.exists(full):
        parent = os.path.dirname(full)
        if not os.access(parent, os.W_OK | os.X_OK):
            raise ConfigError(f"--{key} {path!r} cannot be replaced: {parent!r} is not writable; "
                              f"choose a folder you may write to")
        return
    _check_creatable(full, path, key)


def _check_creatable(full, path, key):
    parent = os.path.dirname(full)
    while not os.path.exists(parent) and not os.path.islink(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise ConfigError(f"--{key} {path!r} cannot be created: {parent!r} is a file, not a folder; "
                          f"choose another --{key}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"--{key} {path!r} cannot be created: {parent!r} is not writable; "
                          f"choose a folder you may write to")


def pid_alive(pid):
    """Whether process ``pid`` exists on this machine (our own pid always does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0
    return True


def remove_stale(folder, base=None):
    """Delete temporaries of writers that were killed; returns the names removed.

    With ``base``, only ``<base>.tmp-<pid>`` and ``<base>.old-<pid>`` in ``folder`` are
    candidates (a preprocess folder's siblings); without it, any ``*.tmp-<pid>`` or
    ``*.tmp-<pid>.ckpt`` (the files of a checkpoint folder). A temporary whose process
    is still running (another run writing right now) is left alone. PIDs are only
    meaningful on one machine: on a file system shared by several hosts a temporary of a
    live process on another host could be taken for stale, so run one writer per folder.
    """
    if base is not None:
        pattern = re.compile(rf"^{re.escape(base)}\.(?:tmp|old)-(\d+)$")
    else:
        pattern = _STALE_ANY
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    removed = []
    for name in names:
        m = pattern.search(name)
        if not m or pid_alive(int(m.group(1))):
            continue
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.remove(path)
            except OSError:
                continue
        removed.append(name)
    return removed


@contextlib.contextmanager
def atomic_path(path, ext=""):
    """Yield a temporary name for ``path``; it is renamed into place when the block succeeds.

    On any failure (a full disk, Ctrl-C) the temporary is removed and nothing under the
    final name changes. ``ext`` keeps an extension that a writer insists on (MindSpore's
    checkpoint writer appends ``.ckpt`` to names without it).
    """
    tmp = f"{path}.tmp-{os.getpid()}{ext}"
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        discard(tmp)
        raise


def write_json(obj, path, sort_keys=False):
    """Indented JSON, written atomically."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=sort_keys)
        f.write("\n")


def discard(path):
    """Remove a temporary file if it exists (after a failed write)."""
    try:
        os.remove(path)
    except OSError:
        pass
