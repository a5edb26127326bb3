"""Rule documentation: docs/rules/ is what `python -m dockerslim_refactor.docs` generates from the
docstrings today, byte for byte, and every code has a complete page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dockerslim_refactor import docs
from dockerslim_refactor.docs import DOCS_BASE, SECTIONS, catalog, doc_url, pages
from dockerslim_refactor.rules import all_rules
from dockerslim_refactor.ruleset import CURRENT, RULE_SETS

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "rules"
DOCS = catalog()


def test_committed_docs_are_up_to_date() -> None:
    stale = docs.stale(FOLDER)
    assert (
        not stale
    ), f"docs/rules/ is out of date ({', '.join(stale)}): run python -m dockerslim_refactor.docs"


def test_regenerating_gives_the_same_bytes(tmp_path: Path) -> None:
    assert docs.main(["--output", str(tmp_path)]) == 0
    for name in pages():
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in FOLDER.iterdir())
    assert docs.write(tmp_path) == []  # a second run changes nothing


def test_check_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs.write(tmp_path)
    assert docs.main(["--output", str(tmp_path), "--check"]) == 0
    (tmp_path / "DSR001.md").write_text("old\n")
    (tmp_path / "DSR999.md").write_text("gone\n")
    assert docs.main(["--output", str(tmp_path), "--check"]) == 1
    err = capsys.readouterr().err
    assert "DSR001.md: out of date" in err and "DSR999.md: out of date" in err
    assert docs.write(tmp_path) == ["DSR001.md", "DSR999.md"]
    assert not (tmp_path / "DSR999.md").exists()


def test_catalog_is_every_rule_and_the_pragma_check() -> None:
    codes = [doc.code for doc in DOCS]
    assert codes == sorted({rule.CODE for rule in all_rules()} | {"DSR900"})


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.code)
def test_page_is_complete(doc: docs.RuleDoc) -> None:
    assert [heading for heading, _ in doc.sections] == list(SECTIONS)
    assert all(body.strip() for _, body in doc.sections)
    assert doc.title and "``" not in doc.title
    page = (FOLDER / f"{doc.code}.md").read_text()
    assert page.splitlines()[1] == f"# {doc.code} {doc.name}"
    assert f"| {doc.code} | {doc.name} | {doc.severity} |" in page
    assert (ROOT / doc.source).is_file()
    assert page.count("```") % 2 == 0
    assert not re.search(r"[ \t]$", page, re.M)


def test_index_links_every_page() -> None:
    index = (FOLDER / "README.md").read_text()
    linked = re.findall(r"\[(DSR\d{3})\]\((DSR\d{3})\.md\)", index)
    assert [a for a, _ in linked] == [doc.code for doc in DOCS]
    assert all(a == b and (FOLDER / f"{b}.md").is_file() for a, b in linked)


def test_fail_column_follows_the_rule_sets() -> None:
    for doc in DOCS:
        if doc.code in RULE_SETS[CURRENT]:
            assert doc.fails_text.startswith("rules version ")
        else:
            assert doc.fails_text == "never (a note)"


def test_urls() -> None:
    assert DOCS_BASE.endswith("/docs/rules/")
    assert doc_url("DSR006") == DOCS_BASE + "DSR006.md"


def test_rule_sets_name_only_known_codes() -> None:
    known = {doc.code for doc in DOCS}
    for version, codes in RULE_SETS.items():
        assert codes <= known, version
    assert max(RULE_SETS) == CURRENT
    assert not any(code.startswith("DSR10") and code != "DSR105" for code in RULE_SETS[CURRENT])
