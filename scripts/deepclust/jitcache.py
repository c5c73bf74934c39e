"""Numba's on-disk cache for the jitted functions of pynndescent and UMAP.

Most of their functions are compiled without ``cache=True``, so every process that builds a
kNN graph or a UMAP embedding compiled them again (half a minute or more per job).
:func:`cache_jitted` turns the cache on for each such function before its first call; the
compiled code goes to ``NUMBA_CACHE_DIR`` (the workflow sets a stable folder for every job),
or next to the package when that is writable. Numba keys each entry by the function's source,
the argument types and the CPU, so a stale or foreign entry is never used, and the code a
process loads is the code it would have compiled (same results, bit for bit).
"""

import contextlib
import pickle
import sys
from pathlib import Path


def cache_folder(environ):
    """Where numba's cache goes: ``NUMBA_CACHE_DIR`` if set, else ``deepclust/numba`` in the
    user's cache folder (``XDG_CACHE_HOME``, default ``~/.cache``). One folder per user and
    machine, or per cluster where the home folder is shared: numba keys each entry by CPU,
    so nodes of different kinds keep their own, and it writes its files atomically, so
    jobs running side by side can share it."""
    if environ.get("NUMBA_CACHE_DIR"):
        return environ["NUMBA_CACHE_DIR"]
    base = environ.get("XDG_CACHE_HOME") or Path(environ.get("HOME") or Path.home()) / ".cache"
    return str(Path(base) / "deepclust" / "numba")


def _best_effort_cache(py_func):
    """numba's FunctionCache for ``py_func`` whose failed writes are skipped: the compiled
    code is in memory either way, and a write that fails costs a compile next time, not
    the job. (numba cannot always pickle a function that takes another jitted function:
    "underlying object has vanished", seen once in CI from pynndescent.)"""
    from numba.core.caching import FunctionCache

    class BestEffortCache(FunctionCache):
        def save_overload(self, sig, data):
            # pickle raises PicklingError, TypeError ("cannot pickle") or AttributeError
            # ("can't pickle local object"); a full or read-only disk raises OSError
            with contextlib.suppress(
                ReferenceError, pickle.PicklingError, TypeError, AttributeError, OSError
            ):
                super().save_overload(sig, data)

    return BestEffortCache(py_func)


def cache_jitted(*packages):
    """Turn on numba's cache (best effort: a failed write is skipped) for every
    not-yet-cached jitted function found in the imported modules of ``packages`` (e.g.
    ``"pynndescent"``); returns how many it turned on."""
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    turned_on = 0
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in packages:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, Dispatcher) and isinstance(value._cache, NullCache):
                value._cache = _best_effort_cache(value.py_func)
                turned_on += 1
    return turned_on
