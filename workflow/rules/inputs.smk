# Input functions: the files a job reads that depend on the config or on a checkpoint's
# outputs (the survey, the decoded images, the embeddings).
import functools

import numpy as np
from snakemake.exceptions import IncompleteCheckpointException


def enough_images(dataset, n_images):
    """Stop the run, naming the dataset and the settings, when it has fewer images than
    the enabled steps need: a check, not a job, so changing those settings reruns nothing.
    """
    needs = images_needed(config["algorithms"], config["tsne"])
    if dataset in FOLLOWERS:  # no clustering of its own: any image can be placed
        needs = [("a dataset with assign_to", 1)]
    try:
        check_enough_images(n_images, needs, dataset)
    except DatasetError as err:
        raise WorkflowError(str(err)) from None


def followed_survey(wildcards):
    """A follower's survey reads the followed dataset's (its target size and channels)."""
    if wildcards.dataset not in FOLLOWERS:
        return []
    return fill(SURVEY, dataset=FOLLOWERS[wildcards.dataset])


def surveyed(wildcards):
    """Input function: the survey, once it shows that the dataset has enough readable
    images (before any image is decoded)."""
    path = checkpoints.survey.get(dataset=wildcards.dataset).output[0]
    with np.load(path) as survey:
        enough_images(
            wildcards.dataset, len(survey["height"]) - len(survey["bad_index"])
        )
    return path


def decoded(pattern):
    """Input function: ``pattern`` (IMAGES or DATA), written by the decode checkpoint.

    Snakemake looks at the jobs after a checkpoint again once it has run. The decoded
    images are byte-identical for any ``shards``, so with the profiles'
    max-checksum-file-size a change of ``shards`` reruns no job after them.
    """

    def path(wildcards):
        checkpoints.decode.get(dataset=wildcards.dataset)
        enough_images(wildcards.dataset, decoded_count(wildcards.dataset))
        return fill(pattern, dataset=wildcards.dataset)

    return path


def decoded_count(dataset):
    """The number of images the decode step kept (some may fail to decode)."""
    path = Path(fill(DATA, dataset=dataset))
    return _image_count(str(path), path.stat().st_mtime_ns)


@functools.lru_cache
def _image_count(path, mtime_ns):
    with np.load(path) as data:
        return len(data["labels"])


def embeddings(wildcards):
    """The embeddings of the embed checkpoint (byte-identical for any ``shards``): a
    seed's own, the first seed's for the consensus."""
    seed = run_seed(wildcards)
    checkpoints.embed.get(dataset=wildcards.dataset, seed=seed)
    return fill(EMBEDDINGS, dataset=wildcards.dataset, seed=seed)


def tsne_coordinates(wildcards):
    """The t-SNE map a run is drawn on: its seed's, the first seed's for the consensus."""
    return fill(TSNE, dataset=wildcards.dataset, seed=run_seed(wildcards))


def seed_stability(wildcards):
    """The consensus run.json (per-cluster stability) when there are seeds to compare."""
    if not CONSENSUS:
        return []
    return fill(consensus_file(RUN_RECORD), **dict(wildcards.items()))


def model_images(wildcards):
    """The images the autoencoder and the self-training see: deskewed or as decoded."""
    if deskews(wildcards.dataset):
        return fill(DESKEWED, dataset=wildcards.dataset)
    return decoded(IMAGES)(wildcards)


def shard_files(pattern):
    """Input function: ``pattern`` for each shard when ``shards`` > 1, else nothing
    (one job then does the whole dataset itself)."""

    def files(wildcards):
        if config["shards"] == 1:
            return []
        return [
            fill(pattern, shard=i, **dict(wildcards.items()))
            for i in range(config["shards"])
        ]

    return files


def tsne_colouring(wildcards):
    """Cluster labels to colour by, or nothing when colouring by the true labels."""
    if wildcards.colouring == "labels":
        return []
    return [fill(LABELS, **dict(wildcards.items()), algorithm=wildcards.colouring)]


def run_files(pattern, dataset, runs, clusterings):
    """``pattern`` of each run and clustering, runs outermost."""
    return [
        fill(pattern, dataset=dataset, run=run, algorithm=c)
        for run in runs
        for c in clusterings
    ]


def all_seed_embeddings(wildcards):
    """Every seed's embeddings: where a consensus is checked and the recommendation scored."""
    for seed in SEEDS:
        checkpoints.embed.get(dataset=wildcards.dataset, seed=seed)
    return [fill(EMBEDDINGS, dataset=wildcards.dataset, seed=s) for s in SEEDS]


def recommend_labels(wildcards):
    """Every labels.npy of the dataset, seed-major: all clusterings of each seed in turn."""
    return run_files(LABELS, wildcards.dataset, seed_runs(), CLUSTERINGS)


def autoencoder_view(wildcards):
    """The autoencoder's checkpoint when the embeddings use it (encoder autoencoder, or a
    combined view of it with a weight), else nothing."""
    encoder = config["encoder"]
    views = config["encoders"]["combined"]["views"]
    if encoder == "autoencoder" or (encoder == "combined" and views.get("autoencoder")):
        return fill(MODEL, dataset=trained(wildcards.dataset), seed=wildcards.seed)
    return []


def encoder_files(wildcards):
    """The embed rules' encoder inputs: ``model`` (the autoencoder's checkpoint, or
    nothing) and, for any other encoder, ``state`` (fit_encoder's); a follower's are the
    followed dataset's."""
    files = {"model": autoencoder_view(wildcards)}
    if config["encoder"] != "autoencoder":
        files["state"] = fill(
            ENCODER_STATE, dataset=trained(wildcards.dataset), seed=wildcards.seed
        )
    return files


def encoder_summaries():
    """The patterns of the encoder's summary and figure per seed: the autoencoder's
    training.json and loss.png, or fit_encoder's encoder.json and encoder.png."""
    if config["encoder"] == "autoencoder":
        return TRAINING, LOSS_CURVE
    return ENCODER_RECORD, ENCODER_FIGURE
