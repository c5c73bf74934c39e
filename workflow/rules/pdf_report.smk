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
            "named_inputs",
            "names",
            "provenance",
            "summary",
            "runlog",
        ),
    output:
        tex=fill(REPORT_FILE, ext="tex"),
        pdf=shown(
            fill(REPORT_FILE, ext="pdf"),
            "pdf",
            "Report",
            {"file": "report.pdf"},
            subcategory=None,
        ),
    log:
        log_file(DATASET_DIR, "pdf_report"),
    benchmark:
        benchmark_file(DATASET_DIR, "pdf_report")
    conda:
        "../../envs/report.yaml"
    threads: 1
    resources:
        **sized(500, 0.1, runtime=10),
    params:
        dataset=dataset_settings,
        seeds=[int(s) for s in SEEDS],
        titles=ALGORITHM_TITLES,
        settings=pdf_report_settings,
        lineage=pdf_report_lineage,
    script:
        "../../scripts/pdf_report.py"
