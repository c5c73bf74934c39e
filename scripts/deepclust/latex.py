"""LaTeX text from Python values: escaping, number formatting, booktabs tables, and Jinja
templates written in LaTeX (``\\VAR{...}`` values, ``\\BLOCK{...}`` statements)."""

from pathlib import Path

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # as typed, not as T1's curly quotes and guillemet ligatures
    "`": r"\textasciigrave{}",
    "'": r"\textquotesingle{}",
    '"': r"\textquotedbl{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "\t": " ",
    "\n": " ",
    "\r": " ",
}
# pdflatex with T1 fonts sets ASCII and Latin letters (to U+017F); any other character
# (a name in another script, a control character) is written as its code point.
_SETTABLE = range(0x20, 0x180)
_LATIN1_CONTROLS = range(0x7F, 0xA0)


def _escape_char(c):
    if c in _ESCAPES:
        return _ESCAPES[c]
    code = ord(c)
    if code in _SETTABLE and code not in _LATIN1_CONTROLS:
        return c
    return f"[U+{code:04X}]"


def tex_escape(text):
    """``text`` as literal text in LaTeX: its specials escaped, quotes and ``<``/``>`` as
    typed, characters pdflatex cannot set as ``[U+XXXX]``."""
    return "".join(_escape_char(c) for c in str(text))


def fmt(value, spec):
    """Format a metric; missing values print as an en dash."""
    return "--" if value is None else tex_escape(spec.format(value))


def tabular(header, rows):
    """A booktabs tabular: first column left-aligned, the rest right-aligned.

    ``header`` and each row are lists of already escaped/formatted cells.
    """
    lines = [
        r"\begin{tabular}{l" + "r" * (len(header) - 1) + "}",
        r"\toprule",
        " & ".join(header) + r" \\",
        r"\midrule",
    ]
    lines += [" & ".join(cells) + r" \\" for cells in rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


class Tex(str):
    """Text that is LaTeX already: the template prints it as it is (everything else escaped)."""


def environment(template_dir, functions=None):
    """Jinja for LaTeX: ``\\BLOCK{...}`` statements, ``\\VAR{...}`` values, ``\\#{...}``
    comments. Every value is escaped for LaTeX unless it is :class:`Tex` (filter ``raw``);
    an undefined name is an error. ``functions``: ``{name: callable}`` the template may call
    (each returns LaTeX)."""
    import jinja2

    def finalize(value):
        return value if isinstance(value, Tex) else tex_escape(value)

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
    )
    env.filters["fmt"] = format  # \VAR{x|fmt(".3f")}
    env.filters["raw"] = Tex
    env.globals |= {name: _as_tex(f) for name, f in (functions or {}).items()}
    return env


def _as_tex(function):
    return lambda *args: Tex(function(*args))


def render(template, ctx, functions=None):
    """The text of the template at path ``template`` filled with ``ctx``; ``functions`` as
    for :func:`environment`."""
    template = Path(template)
    env = environment(template.parent, functions)
    return env.get_template(template.name).render(ctx)
