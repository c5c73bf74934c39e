"""Package versions per job: what the process imported, mapped to distributions."""

import json
import platform
import subprocess
import sys

import numpy as np
import yaml

from deepclust.provenance import distribution_name, imported_versions
from workflow_runner import ROOT


def test_distribution_names_are_normalised():
    assert distribution_name("PyYAML") == "pyyaml"
    assert distribution_name("typing_extensions") == "typing-extensions"
    assert distribution_name("scikit-learn") == "scikit-learn"
    assert distribution_name("zope.interface") == "zope-interface"


def test_versions_of_the_given_modules_mapped_to_distributions():
    modules = [
        "numpy",
        "numpy.linalg",  # submodules count once, as their package
        "yaml",  # import name differs from the distribution (PyYAML)
        "json",  # standard library
        "os.path",
        "deepclust.io",  # no installed distribution
        "__main__",
        "_distutils_hack",  # a start-up hook, not a package the job used
    ]
    assert imported_versions(modules) == {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pyyaml": yaml.__version__,
    }
    assert list(imported_versions(modules)) == ["python", "numpy", "pyyaml"]  # python, then sorted


def test_a_job_records_only_what_it_imported():
    """A fresh process that imports numpy but not torch records numpy and not torch."""
    code = (
        "import json, numpy\n"
        "from deepclust.provenance import imported_versions\n"
        "print(json.dumps(imported_versions()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "scripts",
        capture_output=True,
        text=True,
        check=True,
    )
    versions = json.loads(done.stdout)
    assert versions["numpy"] == np.__version__ and versions["python"] == platform.python_version()
    assert "torch" not in versions and "scikit-learn" not in versions
    assert all(v for v in versions.values())
