"""Reads the word list the build put in /etc and prints it as a table."""

from pathlib import Path

from tabulate import tabulate

words = Path("/etc/app-words.txt").read_text(encoding="utf-8").split()
print(tabulate([[i + 1, w] for i, w in enumerate(words)], tablefmt="plain"))
print(f"python-data-outside ok: {len(words)} words")
