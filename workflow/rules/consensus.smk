# With two or more seeds: how far the seeds agree, and the clustering they vote for. The
# rules of a run (evaluate, the figures) score and draw it like a seed's, on the first
# seed's embeddings and t-SNE map.


rule consensus:
    input:
        labels=expand(seed_file(LABELS), seed=SEEDS, allow_missing=True),
        lib=lib("io", "labels", "provenance", "runlog", "stability"),
    output:
        labels=consensus_file(LABELS),
        agreement=consensus_file(AGREEMENT),
        run=consensus_file(RUN_RECORD),
    log:
        log_file(consensus_file(RUN_DIR), "consensus_{algorithm}"),
    benchmark:
        benchmark_file(consensus_file(RUN_DIR), "consensus_{algorithm}")
    conda:
        "../../envs/cluster.yaml"
    threads: 1
    resources:
        **sized(500, 4, runtime=10),
    params:
        seeds=[int(s) for s in SEEDS],
        name=lambda wildcards: consensus_of(wildcards.algorithm),
        method=config["consensus"]["method"],
        min_group_share=config["consensus"]["min_group_share"],
    script:
        "../../scripts/consensus.py"
