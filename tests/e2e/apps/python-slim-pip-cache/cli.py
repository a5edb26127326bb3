"""stockcli: print a small stock report for ITEM=QTY pairs given on the command line."""

import argparse
import sys
from importlib.metadata import version

from tabulate import tabulate


def parse_item(text):
    name, sep, qty = text.partition("=")
    if not sep or not name or not qty.isdigit():
        raise argparse.ArgumentTypeError(f"expected ITEM=QTY, got {text!r}")
    return name, int(qty)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="stockcli", description=__doc__)
    parser.add_argument("items", nargs="+", type=parse_item, metavar="ITEM=QTY")
    parser.add_argument("--low", type=int, default=5, help="flag items below this quantity")
    args = parser.parse_args(argv)

    rows = sorted(args.items, key=lambda item: (-item[1], item[0]))
    table = tabulate(
        [(name, qty, "LOW" if qty < args.low else "") for name, qty in rows],
        headers=["item", "qty", "flag"],
        tablefmt="plain",
    )
    # One line per report: the table rows joined with " | ".
    body = " | ".join(" ".join(line.split()) for line in table.splitlines())
    total = sum(qty for _, qty in rows)
    py = ".".join(map(str, sys.version_info[:2]))
    tabulate_version = version("tabulate")
    print(
        f"python-slim-pip-cache ok (python {py}, tabulate {tabulate_version}): "
        f"{body} | total={total}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
