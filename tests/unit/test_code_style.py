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
