# What the Snakefile's onstart: and onerror: call, and the check of a finished run's
# intermediate files that it makes once the rules are defined.
import shlex
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


# The files a finished run keeps between its data and its report, by rule (those of other
# rules depend on optional steps). Checked by warn_of_missing_intermediates().
INTERMEDIATE_RULES = ["decode", "train_autoencoder", "embed", "cluster", "tsne"]


def warn_of_missing_intermediates():
    """Name each intermediate file of a finished dataset (its report exists) that is gone,
    and the command that rebuilds it: Snakemake rebuilds such a file only when a job that
    uses it reruns, so a plain rerun would say "Nothing to be done" (and onstart does not
    run then). Called once the rules are defined, in the main process only."""
    if not workflow.is_main_process:
        return
    missing = []
    for dataset in DATASETS:
        if not os.path.exists(REPORT_FILE.format(dataset=dataset, ext="tex")):
            continue
        for name in INTERMEDIATE_RULES:
            for pattern in getattr(rules, name).output if hasattr(rules, name) else []:
                paths = expand(
                    pattern, dataset=dataset, seed=SEEDS, algorithm=ALGORITHMS
                )
                missing += [p for p in dict.fromkeys(paths) if not os.path.exists(p)]
    if missing:
        configs = [os.path.relpath(f) for f in workflow.overwrite_configfiles]
        command = ["snakemake", "--cores", "all", *missing]
        command += ["--configfile", *configs] if configs else []
        print(
            f"warning: {len(missing)} intermediate file(s) of a finished run are missing: "
            f"{', '.join(missing)}; a rerun rebuilds them only when a job that uses them "
            f"reruns. To rebuild them now: {shlex.join(command)}",
            file=sys.stderr,
        )
