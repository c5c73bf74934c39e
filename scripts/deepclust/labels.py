"""Label values with a meaning of their own. No imports: a module that needs only these
constants pulls in nothing else (and a rule using it needs no other module or package)."""

NOISE = -1  # cluster id of the points an algorithm leaves unassigned (DBSCAN, HDBSCAN)
NO_LABEL = -1  # class id of an image without a label (an unlabelled dataset)
