"""Code style: ruff (settings in pyproject.toml) formats and lint-cleans every Python file, as
`make lint` checks; and every function in scripts/ fits on a screen or says why not."""

import ast
import subprocess
import sys

import pytest

from workflow_runner import ROOT


@pytest.mark.parametrize(
    "command", [["format", "--check", "."], ["check", "."]], ids=["format", "check"]
)
def test_ruff_is_clean(command):
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"ruff {' '.join(command)}:\n{done.stdout}{done.stderr}"


# A function fits on a screen: at most MAX_LINES lines from its `def` to its last line,
# docstring included, unless a comment in it starts with REASON and says why.
MAX_LINES = 50
REASON = "# long because:"


def functions(tree, prefix=""):
    """``(qualified name, node)`` of every function in ``tree``, nested ones and methods
    included (``Outer.inner``)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from functions(node, prefix + node.name + ".")
        elif isinstance(node, ast.ClassDef):
            yield from functions(node, prefix + node.name + ".")


def long_functions():
    """``{"path::name": lines}`` of the functions in scripts/ over MAX_LINES lines, and
    the set of those among them that state a reason."""
    found, reasoned = {}, set()
    for path in sorted((ROOT / "scripts").rglob("*.py")):
        source = path.read_text()
        lines = source.splitlines()
        for name, node in functions(ast.parse(source)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_LINES:
                key = f"{path.relative_to(ROOT).as_posix()}::{name}"
                found[key] = length
                body = lines[node.lineno - 1 : node.end_lineno]
                if any(_states_reason(line) for line in body):
                    reasoned.add(key)
    return found, reasoned


def _states_reason(line):
    text = line.strip()
    return text.startswith(REASON) and len(text) > len(REASON) + 3


def test_functions_are_short_or_say_why():
    found, reasoned = long_functions()
    offenders = sorted(set(found) - reasoned)
    assert not offenders, (
        f"functions over {MAX_LINES} lines: split them, or say why in a comment "
        f"'{REASON} ...':\n" + "\n".join(f"  {key} ({found[key]} lines)" for key in offenders)
    )


def test_the_length_check_sees_long_functions():
    """The check itself: a long method is found, a stated reason excuses it."""
    body = "\n".join(f"        x = {i}" for i in range(MAX_LINES))
    tree = ast.parse(f"class A:\n    def f(self):\n{body}\n")
    (name, node), *_ = functions(tree)
    assert name == "A.f" and node.end_lineno - node.lineno + 1 == MAX_LINES + 1
    assert _states_reason(f"    {REASON} one table, read top to bottom")
    assert not _states_reason(f"    {REASON}")


LIBRARY = ROOT / "scripts" / "deepclust"
MAX_MODULE_LINES = 400


def test_no_library_module_is_over_400_lines():
    long = {
        str(p.relative_to(LIBRARY)): n
        for p in LIBRARY.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"library modules over {MAX_MODULE_LINES} lines: split them: {long}"


def module_constants(source):
    """Public names a module defines at its top in capitals (``NOISE = -1``, ``TITLES =
    {...}``), and those it re-exports (``from .labels import NOISE as NOISE``)."""
    defined, reexported = set(), set()
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        defined |= {n for n in names if n.isupper() and not n.startswith("_")}
        if isinstance(node, ast.ImportFrom):
            reexported |= {a.name for a in node.names if a.asname == a.name}
    return defined, reexported


def test_each_constant_has_one_meaning_and_one_home():
    """A capitalised name (NOISE, NO_LABEL, TITLES, ...) is defined in one library module
    only, and no module re-exports one under its own name: one meaning per name, imported
    from where it is defined (a package's __init__ may import its own modules' names)."""
    homes, reexports = {}, []
    for path in sorted(LIBRARY.rglob("*.py")):
        defined, reexported = module_constants(path.read_text())
        for name in defined:
            homes.setdefault(name, []).append(str(path.relative_to(LIBRARY)))
        reexports += [f"{path.relative_to(LIBRARY)}: {name}" for name in reexported]
    assert {name: where for name, where in homes.items() if len(where) > 1} == {}
    assert reexports == []
    assert homes["NOISE"] == homes["NO_LABEL"] == ["labels.py"]
    # the workflow's list of enabled algorithms is ALGORITHMS; the library's registry is not
    assert "ALGORITHMS" not in homes and homes["REGISTRY"] == ["cluster/_registry.py"]


def test_the_constant_check_sees_definitions_and_reexports():
    source = (
        "import numpy as np\nNOISE = -1\nlimit: int = 3\nfrom .labels import NO_LABEL as NO_LABEL\n"
    )
    assert module_constants(source) == ({"NOISE"}, {"NO_LABEL"})
