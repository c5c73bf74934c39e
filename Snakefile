from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/config.smk"
include: "workflow/rules/paths.smk"
include: "workflow/rules/settings.smk"
include: "workflow/rules/inputs.smk"
include: "workflow/rules/dataset_inputs.smk"
include: "workflow/rules/handlers.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/model.smk"
include: "workflow/rules/cluster.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/consensus.smk"
include: "workflow/rules/explorer.smk"
include: "workflow/rules/assignments.smk"
include: "workflow/rules/follow.smk"
include: "workflow/rules/summary.smk"
include: "workflow/rules/pdf_report.smk"


# A deleted intermediate file is named, with the command that rebuilds it (handlers.smk).
warn_of_missing_intermediates()


# Passed on to every job, also remote ones: numba's cache folder (set in config.smk).
envvars:
    "NUMBA_CACHE_DIR",


onstart:
    warn_if_no_tex(workflow.dag)


onerror:
    report_failures(log)


localrules:
    all,
    plot_tsne,
    plot_confusion,
    plot_gallery,
    plot_tsne_thumbnails,
    explorer,
    summarize,
    pdf_report,


rule all:
    default_target: True
    input:
        final_targets(),
