"""Encoders: images (uint8 ``(N, H, W[, 3])``) to embeddings (float32 ``(N, d)``).

One module per encoder, each with its settings dataclass and ``encode`` yielding chunks
of :data:`base.ENCODE_CHUNK` rows (batching never changes a code):
- ``features``: fixed multi-scale filter-bank, intensity and colour statistics, PCA;
- ``convae``: a convolutional autoencoder for grey or colour images;
- ``pretrained``: a pretrained transformers vision network, pooled;
- ``combined``: several views side by side, each scaled to its weight.
This file stays cheap to import: the workflow reads ``ENCODERS`` at parse time.
"""

ENCODERS = {
    "autoencoder": "the fully connected autoencoder (the seed's)",
    "conv_autoencoder": "a convolutional autoencoder",
    "features": "fixed multi-scale texture, intensity and colour features (no training)",
    "pretrained": "a pretrained vision network (transformers)",
    "combined": "the autoencoder's codes beside the fixed features",
}
