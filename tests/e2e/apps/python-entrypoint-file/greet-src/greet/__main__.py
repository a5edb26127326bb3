import sys


def main() -> int:
    who = sys.argv[1] if len(sys.argv) > 1 else "nobody"
    print(f"python-patched-site-packages ok: hello, {who}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
