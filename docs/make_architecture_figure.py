"""docs/figures/library_layers.svg: the library (scripts/deepclust/) and its imports, in layers
(a module or package sits one layer above the highest one it imports), from the imports in
the code itself, so the figure cannot drift from it. A package (a folder, e.g. ``cluster``)
is one box, listing its modules in their own layers. Needs Graphviz's dot.

    python docs/make_architecture_figure.py

Prints each layer's modules and packages, and each package's modules in layers (quoted in
docs/architecture.md).
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "scripts" / "deepclust"
OUT = ROOT / "docs" / "figures" / "library_layers.svg"


def modules():
    """Every library module as a dotted key below deepclust (``io``, ``cluster`` for the
    package's __init__, ``cluster._kmeans``) -> its file; the top __init__ left out."""
    found = {}
    for path in sorted(LIB.rglob("*.py")):
        parts = path.relative_to(LIB).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found[".".join(parts)] = path
    return found


def imports(key, path):
    """The library modules (keys) that module ``key`` (file ``path``) imports, anywhere in it:
    ``from .x``, ``from ..x``, ``from . import x``, ``from deepclust.x``, ``import deepclust.x``."""
    known = modules()
    package = key if path.name == "__init__.py" else key.rpartition(".")[0]
    found = set()

    def add(name, names=()):
        for alias in names:
            if f"{name}.{alias}".lstrip(".") in known:
                found.add(f"{name}.{alias}".lstrip("."))
                return add(name)
        if name:
            found.add(name)

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("deepclust"):
                name = node.module.removeprefix("deepclust").lstrip(".")
            else:
                continue
            for alias in node.names:
                add(name, [alias.name])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("deepclust."):
                    found.add(alias.name.removeprefix("deepclust."))
    return found - {key}


def unit(key):
    """The top-level module or package ``key`` lies in."""
    return key.split(".")[0]


def graphs():
    """``(graph, packages)``: top-level modules and packages -> those they import, and per
    package its modules -> the modules of the same package they import."""
    graph, packages = {}, {}
    for key, path in modules().items():
        used = imports(key, path)
        graph.setdefault(unit(key), set()).update(unit(m) for m in used if unit(m) != unit(key))
        if path.parent != LIB:
            inside = packages.setdefault(unit(key), {})
            inside[key] = {m for m in used if unit(m) == unit(key) and m != unit(key)}
    return graph, packages


def layers(graph):
    """``{module: layer}``: 0 for a module importing no other, else 1 + its highest import."""
    layer = {}

    def depth(name):
        if name not in layer:
            layer[name] = 1 + max((depth(m) for m in graph[name]), default=-1)
        return layer[name]

    for name in graph:
        depth(name)
    return layer


def package_label(name, inside):
    """A package's box: its name, then its modules, one line per layer (lowest last)."""
    layer = layers(inside)
    rows = [
        ", ".join(sorted(m.split(".")[-1] for m in inside if layer[m] == depth and m != name))
        for depth in range(max(layer.values()) + 1)
    ]
    return "\\n".join([f"{name}/", *reversed([r for r in rows if r])])


def dot_source(graph, layer, packages):
    """Graphviz source: one row per layer, the rule scripts above them all, a package as one
    box listing its modules."""
    lines = [
        "digraph library {",
        "  rankdir=BT; newrank=true; node [shape=box, fontname=Helvetica, fontsize=10];",
        '  edge [color="#999999", arrowsize=0.5];',
        '  scripts [label="rule scripts (scripts/*.py): read the job, call the library, '
        'write outputs", style=filled, fillcolor="#e8f0fe"];',
    ]
    for depth in range(max(layer.values()) + 1):
        names = sorted(m for m in graph if layer[m] == depth)
        lines.append(f'  layer{depth} [label="layer {depth}", shape=plaintext];')
        lines.append(f"  {{ rank=same; layer{depth}; {'; '.join(names)} }}")
        if depth:
            lines.append(f"  layer{depth - 1} -> layer{depth} [style=invis];")
    lines.append(f"  layer{max(layer.values())} -> scripts [style=invis];")
    for name, inside in sorted(packages.items()):  # after the rows: declared first, dot
        label = package_label(name, inside)  # would misplace the rows
        lines.append(f'  {name} [label="{label}", style=filled, fillcolor="#f3f3f3"];')
    for name, used in sorted(graph.items()):
        lines += [f"  {name} -> {m};" for m in sorted(used)]
    return "\n".join(lines) + "\n}\n"


def main():
    graph, packages = graphs()
    layer = layers(graph)
    for depth in range(max(layer.values()) + 1):
        print(f"layer {depth}: {', '.join(sorted(m for m in graph if layer[m] == depth))}")
    for name, inside in sorted(packages.items()):
        inner = layers(inside)
        for depth in range(max(inner.values()) + 1):
            names = sorted(m for m in inside if inner[m] == depth)
            print(f"{name} layer {depth}: {', '.join(names)}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["dot", "-Tsvg"], input=dot_source(graph, layer, packages), capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"dot failed: {done.stderr}")
    OUT.write_text(done.stdout)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
