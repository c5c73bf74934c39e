"""docs/figures/library_layers.svg: the library modules (scripts/deepclust/) and their imports,
in layers (a module sits one layer above the highest module it imports), from the imports
in the code itself, so the figure cannot drift from it. Needs Graphviz's dot.

    python docs/make_architecture_figure.py

Prints each layer's modules (quoted in docs/architecture.md).
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "scripts" / "deepclust"
OUT = ROOT / "docs" / "figures" / "library_layers.svg"


def imports(path):
    """The deepclust modules ``path`` imports (``from .x``, ``from . import x``,
    ``from deepclust.x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1 and module:
                found.add(module.split(".")[0])
            elif node.level == 1:  # from . import x
                found |= {alias.name for alias in node.names}
            elif module.startswith("deepclust."):
                found.add(module.split(".")[1])
    return found


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


def dot_source(graph, layer):
    """Graphviz source: one row per layer, the rule scripts above them all."""
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
    for name, used in sorted(graph.items()):
        lines += [f"  {name} -> {m};" for m in sorted(used)]
    return "\n".join(lines) + "\n}\n"


def main():
    graph = {p.stem: imports(p) for p in LIB.glob("*.py") if p.stem != "__init__"}
    layer = layers(graph)
    for depth in range(max(layer.values()) + 1):
        print(f"layer {depth}: {', '.join(sorted(m for m in graph if layer[m] == depth))}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["dot", "-Tsvg"], input=dot_source(graph, layer), capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"dot failed: {done.stderr}")
    OUT.write_text(done.stdout)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
