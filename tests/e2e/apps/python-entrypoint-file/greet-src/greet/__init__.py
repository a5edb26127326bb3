"""A console script installed with pip: the image runs it by name."""
