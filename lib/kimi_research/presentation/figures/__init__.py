"""Charts of each notebook, one module per notebook topic (matplotlib; no computation)."""
