"""What a source folder's files are, by suffix: Hub-layout data files or images."""

DATA_SUFFIXES = (".parquet", ".arrow")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
