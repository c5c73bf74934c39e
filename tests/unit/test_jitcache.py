"""deepclust/jitcache.py and the workflow's numba cache folder: compiled once per machine."""

import re

import pytest

from deepclust.jitcache import cache_folder, cache_jitted
from workflow_runner import ROOT


def test_cache_folder_keeps_a_set_numba_cache_dir_else_the_users_cache():
    assert cache_folder({"NUMBA_CACHE_DIR": "/scratch/numba", "HOME": "/h"}) == "/scratch/numba"
    assert cache_folder({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == "/x/deepclust/numba"
    assert cache_folder({"HOME": "/h"}) == "/h/.cache/deepclust/numba"
    assert cache_folder({"NUMBA_CACHE_DIR": "", "HOME": "/h"}) == "/h/.cache/deepclust/numba"


def test_every_job_gets_the_cache_folder():
    """config.smk sets it before any job starts; envvars: passes it on to remote jobs."""
    config = (ROOT / "workflow/rules/config.smk").read_text()
    assert 'os.environ["NUMBA_CACHE_DIR"] = cache_folder(os.environ)' in config
    envvars = re.search(r"^envvars:\n((?:    .*\n)+)", (ROOT / "Snakefile").read_text(), re.M)
    assert envvars and '"NUMBA_CACHE_DIR"' in envvars.group(1)


def test_cache_jitted_turns_the_cache_on_for_pynndescents_uncached_functions():
    import pynndescent.pynndescent_ as nnd
    from numba.core.caching import NullCache

    uncached = [
        v
        for v in vars(nnd).values()
        if hasattr(v, "enable_caching") and isinstance(v._cache, NullCache)
    ]
    turned_on = cache_jitted("pynndescent")
    assert turned_on >= len(uncached)
    assert not any(isinstance(v._cache, NullCache) for v in uncached)
    assert cache_jitted("pynndescent") == 0  # once on, left alone


def test_a_failed_cache_write_is_skipped_not_raised(monkeypatch, tmp_path):
    """numba once failed to pickle a pynndescent function's cache index ("underlying object
    has vanished") and the job died; the compiled code was fine, so the write is skipped."""
    from numba.core.caching import FunctionCache

    from deepclust.jitcache import _best_effort_cache

    def vanish(self, sig, data):
        raise ReferenceError("underlying object has vanished")

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(FunctionCache, "_save_overload", vanish)
    cache = _best_effort_cache(test_cache_folder_keeps_a_set_numba_cache_dir_else_the_users_cache)
    cache.save_overload(None, None)  # no exception
    with pytest.raises(ReferenceError):
        FunctionCache.save_overload(cache, None, None)  # numba's own raises
