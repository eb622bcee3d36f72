"""Entry-script plumbing: one-line errors instead of tracebacks, unless debugging."""
import os
import sys

DEBUG_ENV = "LSTM_DEBUG"


def debugging(argv=None):
    argv = sys.argv if argv is None else argv
    return os.environ.get(DEBUG_ENV, "") not in ("", "0") or "--debug" in argv


def strip_debug(argv):
    return [a for a in argv if a != "--debug"]


def run(main, argv=None):
    """Call ``main(argv)``; expected failures become `error: ...` on stderr and exit code 1/2."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = debugging(argv)
    try:
        code = main(strip_debug(argv))
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1
    except Exception as e:  # noqa: BLE001 - the point is to turn every failure into one line
        if debug:
            raise
        from .model_utils.config import ConfigError
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if isinstance(e, OSError) and (e.filename or e.errno):
            msg = os_error_message(e)
        print(f"error: {msg} (set {DEBUG_ENV}=1 or pass --debug for a traceback)", file=sys.stderr)
        return 2 if isinstance(e, ConfigError) else 1
    return code or 0


def os_error_message(e):
    """``<what went wrong>: '<path>': <what to do>`` for an OSError (e.g. a full disk)."""
    from .fsutil import OS_HINTS
    what = e.strerror or str(e) or type(e).__name__
    where = f": {e.filename!r}" if e.filename else ""
    hint = OS_HINTS.get(e.errno, "check the path, its permissions and the free disk space")
    return f"{what}{where}: {hint}"
