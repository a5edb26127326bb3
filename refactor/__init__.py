"""dockerslim-refactor: rewrite single-stage Dockerfiles into lean multi-stage builds."""

__version__ = "0.1.0"
