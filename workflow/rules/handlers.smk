# What the Snakefile's onstart: and onerror: call.
import shutil

from snakemake.logging import logger


def warn_if_no_tex(dag):
    """onstart: when a report job will run and no TeX engine is found, say so now, not
    when it fails after every other job."""
    if shutil.which("latexmk") or shutil.which("pdflatex"):
        return
    datasets = sorted(
        job.wildcards["dataset"]
        for job in dag.needrun_jobs()
        if job.rule.name == "pdf_report"
    )
    if datasets:
        from deepclust.compile_tex import TEX_PACKAGES

        logger.warning(
            f"warning: no TeX engine (latexmk or pdflatex) found, so the pdf_report job of "
            f"{', '.join(datasets)} will fail once the rest has run; install it first: "
            f"apt-get install {TEX_PACKAGES} (or make system-packages as root)"
        )


def report_failures(log):
    """onerror: a last line per failed job naming its dataset, rule and log, so a
    --keep-going run of several datasets ends saying which one failed."""
    paths = [log] if isinstance(log, (str, Path)) else log  # Snakemake 9: a list
    text = "".join(Path(p).read_text() for p in paths[:1] if Path(p).exists())
    for line in failure_lines(text):
        logger.error(line)
