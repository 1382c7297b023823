"""How pages are made: the build (papermill in kept kernels), its cache and progress, HTML export and the
site index."""
