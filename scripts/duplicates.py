"""Rule duplicates: exact copies (content hash) and near-duplicates (kNN graph of the images'
8x8 thumbnails) -> results/{dataset}/duplicates.tsv (deepclust.duplicates)."""

import numpy as np
from threadpoolctl import threadpool_limits

from deepclust.assignments import kept_rows, source_names, write_tsv
from deepclust.duplicates import find_duplicates, source_hashes, thumbnail_features
from deepclust.runlog import job_log
from deepclust.sources.open import open_source

inp, params = snakemake.input, snakemake.params
with job_log(snakemake.log[0]) as log, threadpool_limits(snakemake.threads):
    import numba

    numba.set_num_threads(snakemake.threads)
    data = np.load(inp.data)
    source = open_source(params.dataset, snakemake.resources.cache_dir or None, log)
    rows = kept_rows(data, len(source))
    digests = source_hashes(source, rows)
    x = thumbnail_features(np.load(inp.images, mmap_mode="r"))
    table, threshold = find_duplicates(
        x, digests, params.settings["factor"], params.settings["neighbours"], params.seed
    )
    n_exact = int(table["exact"].sum())
    log(
        f"{len(table['first'])} pairs: {n_exact} exact copies (same bytes) and "
        f"{len(table['first']) - n_exact} near-duplicates (thumbnail distance <= {threshold:.4g}, "
        f"{params.settings['factor']} x the median nearest-neighbour distance)"
    )
    first, second = table["first"], table["second"]
    columns = {
        "first_row": first,
        "first_image": lambda a, b: source_names(source, rows[first[a:b]]),
        "second_row": second,
        "second_image": lambda a, b: source_names(source, rows[second[a:b]]),
        "distance": table["distance"],
        "exact": table["exact"],
    }
    write_tsv(snakemake.output[0], columns)
