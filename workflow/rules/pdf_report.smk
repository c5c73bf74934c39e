rule pdf_report:
    input:
        unpack(pdf_report_inputs),
        lib=lib(
            "io",
            "diagnostics",
            "figures",
            "knee",
            "labels",
            "latex",
            "pdf_report",
            "pdf_tables",
            "compile_tex",
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
        "logs/{dataset}/pdf_report.log",
    benchmark:
        "benchmarks/{dataset}/pdf_report.tsv"
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
        settings=pdf_report_settings,
        lineage=pdf_report_lineage,
    script:
        "../../scripts/pdf_report.py"
