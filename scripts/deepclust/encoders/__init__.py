"""Encoders: images (uint8 ``(N, H, W[, 3])``) to embeddings (float32 ``(N, d)``).

One module per encoder, each with its settings dataclass and ``encode`` yielding chunks
of :data:`base.ENCODE_CHUNK` rows (batching never changes a code):
- ``features``: fixed multi-scale filter-bank, intensity and colour statistics, PCA;
- ``convae``: a convolutional autoencoder for grey or colour images;
- ``pretrained``: a pretrained transformers vision network, pooled;
- ``combined``: several views side by side, each scaled to its weight.
This file stays cheap to import: the workflow reads ``ENCODERS`` at parse time.
"""

ENCODERS = {  # name -> what it is, in words
    "autoencoder": "the fully connected autoencoder (the seed's)",
    "conv_autoencoder": "a convolutional autoencoder",
    "features": "fixed multi-scale texture, intensity and colour features (no training)",
    "pretrained": "a pretrained vision network (transformers)",
    "combined": "the autoencoder's codes beside the fixed features",
}


def describe(name, params):
    """One sentence saying what encoder ``name`` does with its ``encoders`` settings
    ``params`` (for the report's method section)."""
    if name == "features":
        p = params["features"]
        used = ", ".join(g for g, w in p["weights"].items() if w > 0)
        return (
            f"Fixed features, no training: a bank of {p['scales']} scales x "
            f"{p['orientations']} orientations of band-pass filters"
            + (" with second-order energies" if p["second_order"] else "")
            + (", made rotation invariant" if p["rotation_invariant"] else "")
            + f"; feature groups {used} standardised and weighted, PCA to "
            f"{p['dimensions'] or 'all'} dimensions, whitened to the power {p['whiten']}."
        )
    if name == "conv_autoencoder":
        p = params["conv_autoencoder"]
        return (
            f"Convolutional autoencoder, channels {p['channels']} (stride-2 4x4 convolutions "
            f"with batch norm), latent size {p['latent_dim']}, trained {p['steps']} Adam "
            f"steps of {p['batch_size']} images (learning rate {p['learning_rate']:g}), MSE."
        )
    if name == "pretrained":
        p = params["pretrained"]
        return (
            f"Pretrained network {p['model']} (transformers), images resized to "
            f"{p['side'] or 'its own size'}, {p['pooling']} pooling; its quality on these "
            "images was not measured in this project."
        )
    if name == "combined":
        views = params["combined"]["views"]
        parts = ", ".join(f"{v} (weight {w:g})" for v, w in views.items())
        return f"Views side by side, each centred and scaled to its weight: {parts}."
    raise ValueError(f"unknown encoder {name!r}; known: {sorted(ENCODERS)}")
