rule report:
    input:
        unpack(report_inputs),
        lib=lib("io", "report", "provenance", "summary", "runlog"),
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
        autoencoder=canonical(config["autoencoder"]),
        algorithms=CLUSTERINGS,
        deskew=lambda wildcards: deskews(wildcards.dataset),
        self_training=canonical(config["self_training"]),
        evaluation=canonical(config["evaluation"]),
        tsne=canonical(config["tsne"]),
        gallery=canonical(config["gallery"]),
    script:
        "../../scripts/report.py"
