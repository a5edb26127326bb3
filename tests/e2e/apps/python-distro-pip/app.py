"""Hashes a word with mmh3, a C extension pip built from source against the distribution's
Python: the runtime needs that interpreter and what pip installed next to it."""

import mmh3

print(f"mmh3 says {mmh3.hash('dockerslim')}")
