rule report:
    input:
        unpack(report_inputs),
        lib=lib(
            "io",
            "diagnostics",
            "figures",
            "knee",
            "labels",
            "report",
            "names",
            "provenance",
            "summary",
            "runlog",
        ),
    output:
        tex="results/{dataset}/report/report.tex",
        pdf=report(
            "results/{dataset}/report/report.pdf",
            caption="../report/pdf.rst",
            category="Report",
            labels={"dataset": "{dataset}", "file": "report.pdf"},
        ),
    log:
        "logs/{dataset}/report.log",
    benchmark:
        "benchmarks/{dataset}/report.tsv"
    conda:
        "../../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=memory(500, 0.1),
        runtime=10,
    params:
        dataset=dataset_settings,
        clusterings=CLUSTERINGS,
        consensus=CONSENSUS,
        seeds=[int(s) for s in SEEDS],
        diagnostics=DIAGNOSTIC_FIGURES,
        titles=ALGORITHM_TITLES,
        settings=report_settings,
        lineage=report_lineage,
    script:
        "../../scripts/report.py"
