"""Compiling a .tex file to PDF (latexmk, else pdflatex), with its first error in words."""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

TEX_PACKAGES = (
    "latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern"
)


def tex_errors(output):
    """The first error in a TeX engine's output (stdout and stderr) with its context: from
    its ``!`` line to the ``l.<n>`` line that shows where, and the source line after it;
    then latexmk's own lines (``Latexmk: ...`` and those indented under them). ``""`` if
    there is none."""
    lines = output.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("! ")), None)
    found = []
    if first is not None:
        end = min(first + 12, len(lines))
        where = next((i for i in range(first, end) if re.match(r"l\.\d+ ", lines[i])), None)
        found = lines[first : end if where is None else where + 2]
    own, keep = [], False
    for line in lines:
        if line.startswith("Latexmk:"):
            keep = bool(re.search("error|missing", line, re.I))
        elif not line.startswith("  "):
            keep = False
        if keep:
            own.append(line)
    return "\n".join(found + own)


def engine_runs():
    """The commands that compile a .tex: latexmk once, else pdflatex twice (references)."""
    if shutil.which("latexmk"):
        return [["latexmk", "-pdf"]]
    if shutil.which("pdflatex"):
        return [["pdflatex"]] * 2
    raise RuntimeError(
        f"no TeX engine (latexmk or pdflatex) found; install: apt-get install {TEX_PACKAGES}"
    )


def compile_pdf(tex_path, pdf_path, log):
    """Compile ``tex_path`` (latexmk, else pdflatex twice) and move the PDF to ``pdf_path``.

    The build runs in a scratch folder beside the .tex (relative figure paths still
    resolve); it is removed afterwards, so a failed build leaves no PDF behind. On a
    failure the engine's whole output goes to ``log``, then its first error with context
    (:func:`tex_errors`), and the .tex is copied to ``<name>.failed.tex`` beside it (a
    failed job's outputs are deleted), which the error names.
    """
    tex_path = Path(tex_path).resolve()
    kept = tex_path.with_suffix(".failed.tex")
    runs = engine_runs()
    build = Path(tempfile.mkdtemp(prefix="latex-build-", dir=tex_path.parent))
    try:
        for run in runs:
            cmd = [
                *run,
                "-interaction=nonstopmode",
                "-halt-on-error",
                f"-output-directory={build}",
                tex_path.name,
            ]
            done = subprocess.run(
                cmd,
                cwd=tex_path.parent,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            if done.returncode == 0:
                log(done.stdout[-4000:])
                continue
            errors = tex_errors(done.stdout)
            log(f"{cmd[0]} output (stdout and stderr):\n{done.stdout}")
            log(f"first error and its context:\n{errors or '(none recognised)'}")
            shutil.copyfile(tex_path, kept)
            first = errors.splitlines()[0] if errors else "no error line recognised"
            raise RuntimeError(
                f"{cmd[0]} failed on {tex_path} (exit {done.returncode}): {first}; its output "
                f"and the first error with context are in the log; the .tex is kept as {kept} "
                f"(compile it there: {' '.join(run)} {kept.name})"
            )
        os.replace(build / tex_path.with_suffix(".pdf").name, pdf_path)
        kept.unlink(missing_ok=True)  # from an earlier failure
    finally:
        shutil.rmtree(build, ignore_errors=True)
