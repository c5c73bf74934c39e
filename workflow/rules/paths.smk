# Every path under results/ as a pattern of wildcards: the one place one is spelled. A run
# is one seed's folder (seed0, seed1, ...) or the consensus of the seeds; the rules of one
# seed fill {run} with SEED_RUN. Logs and benchmarks mirror these folders.
import re

SEED_RUN = "seed{seed}"
CONSENSUS_RUN = "consensus"

DATASET_DIR = "results/{dataset}"
SEED_DIR = f"{DATASET_DIR}/{SEED_RUN}"
RUN_DIR = f"{DATASET_DIR}/{{run}}"

# per dataset
SURVEY = f"{DATASET_DIR}/survey.npz"
SHARD_IMAGES = f"{DATASET_DIR}/shards/{{shard}}/images.npy"
SHARD_ROWS = f"{DATASET_DIR}/shards/{{shard}}/rows.npz"
IMAGES = f"{DATASET_DIR}/images.npy"
DATA = f"{DATASET_DIR}/data.npz"
SKIPPED = f"{DATASET_DIR}/skipped.tsv"
DESKEWED = f"{DATASET_DIR}/deskewed.npy"
SUMMARY = f"{DATASET_DIR}/summary.tsv"
RECOMMENDED = f"{DATASET_DIR}/recommended.json"
EXPLORER = f"{DATASET_DIR}/explorer.html"
ASSIGNMENTS = f"{DATASET_DIR}/assignments.tsv"
DUPLICATES = f"{DATASET_DIR}/duplicates.tsv"
REPORT_FILE = f"{DATASET_DIR}/report/report.{{ext}}"
# per follower (a dataset with assign_to): its images placed by the followed run's models
ASSIGNED = f"{DATASET_DIR}/assigned/{{algorithm}}.npz"
DRIFT = f"{DATASET_DIR}/drift.json"
# per seed
MODEL = f"{SEED_DIR}/model/autoencoder.pt"
LOSSES = f"{SEED_DIR}/model/loss.tsv"
TRAINING = f"{SEED_DIR}/model/training.json"
LOSS_CURVE = f"{SEED_DIR}/model/loss.png"
ENCODER_STATE = f"{SEED_DIR}/model/encoder.pt"
ENCODER_RECORD = f"{SEED_DIR}/model/encoder.json"
ENCODER_FIGURE = f"{SEED_DIR}/model/encoder.png"
EMBEDDING_SHARD = f"{SEED_DIR}/shards/{{shard}}/embeddings.npy"
EMBEDDINGS = f"{SEED_DIR}/embeddings.npy"
TSNE = f"{SEED_DIR}/tsne/coordinates.npz"
MAP = f"{SEED_DIR}/map/coordinates.npz"
THUMBNAIL_MAP = f"{SEED_DIR}/figures/tsne_thumbnails.png"
DIAGNOSTIC = f"{SEED_DIR}/figures/{{diagnostic}}_{{algorithm}}.png"
# per run: a seed's clusterings, or the consensus of the seeds
CLUSTER_DIR = f"{RUN_DIR}/clusters/{{algorithm}}"
LABELS = f"{CLUSTER_DIR}/labels.npy"
RUN_RECORD = f"{CLUSTER_DIR}/run.json"
CLUSTER_MODEL = f"{CLUSTER_DIR}/model.pkl"  # an algorithm's fitted model (joblib)
CLASSIFIER = f"{CLUSTER_DIR}/model.pt"  # self-training's CNN (torch)
METRICS = f"{CLUSTER_DIR}/metrics.json"
AGREEMENT = f"{CLUSTER_DIR}/agreement.npy"
TSNE_FIGURE = f"{RUN_DIR}/figures/tsne_{{colouring}}.png"
CONFUSION = f"{RUN_DIR}/figures/confusion_{{algorithm}}.png"
GALLERY = f"{RUN_DIR}/figures/gallery_{{algorithm}}.png"


def fill(pattern, **values):
    """``pattern`` with the wildcards named in ``values`` filled in, the others kept."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: str(values[m[1]]) if m[1] in values else m[0],
        pattern,
    )


def seed_file(pattern):
    """A per-run ``pattern`` in a seed's folder (``{run}`` as ``seed{seed}``)."""
    return fill(pattern, run=SEED_RUN)


def consensus_file(pattern):
    """A per-run ``pattern`` in the consensus folder."""
    return fill(pattern, run=CONSENSUS_RUN)


def log_file(folder, job):
    """The log of ``job`` in ``folder`` (one of the *_DIR above), under logs/."""
    return f"logs/{folder.removeprefix('results/')}/{job}.log"


def benchmark_file(folder, job):
    """The benchmark of ``job`` in ``folder``, under benchmarks/."""
    return f"benchmarks/{folder.removeprefix('results/')}/{job}.tsv"
