"""One module per family; each defines FAMILY and ORDER."""
