"""Logging for rule scripts: progress lines to the rule's log, errors to log and console."""

import contextlib
import sys
import time
import traceback


@contextlib.contextmanager
def job_log(path):
    """Yield ``log(message)`` writing timestamped lines to ``path``.

    On an exception the traceback goes to the log, ``error: <message>`` to stderr,
    and the process exits with status 1. An OSError writing the log itself (a full disk)
    names ``path``.
    """
    start = time.perf_counter()
    handle = open(path, "w", buffering=1)  # noqa: SIM115 (closed below, errors named)

    def named(action, *args):
        try:
            return action(*args)
        except OSError as err:
            if err.filename is None:
                err.filename = str(path)
            raise

    def log(message):
        named(handle.write, f"[{time.perf_counter() - start:8.1f} s] {message}\n")

    try:
        yield log
        named(handle.close)
    except Exception as err:
        with contextlib.suppress(OSError):  # the log may be on the full disk
            handle.write(traceback.format_exc())
        print(f"error: {err}", file=sys.stderr, flush=True)
        sys.exit(1)
    finally:
        with contextlib.suppress(OSError):
            handle.close()
