"""What comes in: the data contract (schemas), datasets and manifests, validation, the loaders of real
formats, the synthetic replica and the extract of public statistics."""
