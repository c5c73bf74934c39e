"""Logging for rule scripts: progress lines to the rule's log, errors to log and console."""

import contextlib
import sys
import time
import traceback


@contextlib.contextmanager
def job_log(path):
    """Yield ``log(message)`` writing timestamped lines to ``path``.

    On an exception the traceback goes to the log, ``error: <message>`` to stderr,
    and the process exits with status 1.
    """
    start = time.perf_counter()
    with open(path, "w", buffering=1) as handle:

        def log(message):
            handle.write(f"[{time.perf_counter() - start:8.1f} s] {message}\n")

        try:
            yield log
        except Exception as err:
            handle.write(traceback.format_exc())
            print(f"error: {err}", file=sys.stderr, flush=True)
            sys.exit(1)
