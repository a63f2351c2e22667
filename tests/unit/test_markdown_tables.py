"""Every Markdown table in the READMEs and docs/ renders as the table it is meant to be.

GitHub and Galaxy render GitHub Flavored Markdown, where a row is cut into cells at every `|` not escaped
as `\\|`, even inside backticks, and a row with fewer or more cells than the header is padded or cut
without a word. The test parses each file with markdown-it-py (CommonMark plus GFM tables) and checks
each row of each table the parser found: the row alone, under a delimiter row of the header's width, must
still be a table, which the parser allows only when the row has exactly the header's number of cells.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([ROOT / "README.md", *ROOT.glob("roles/*/README.md"), *ROOT.glob("docs/*.md")])
MARKDOWN = MarkdownIt("commonmark").enable("table")


def has_cells(row: str, count: int) -> bool:
    """Whether the parser reads `row` as exactly `count` cells."""
    tokens = MARKDOWN.parse(f"{row}\n|{' --- |' * count}\n")
    return any(token.type == "table_open" for token in tokens)


def bad_rows(path: Path) -> list[str]:
    lines = path.read_text().splitlines()
    tokens = MARKDOWN.parse(path.read_text())
    bad = []
    header = 0
    in_body = False
    for token in tokens:
        if token.type == "thead_open":
            header = 0
        elif token.type == "th_open":
            header += 1
        elif token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif token.type == "tr_open" and in_body and token.map is not None:
            row = lines[token.map[0]]
            if not has_cells(row, header):
                bad.append(f"{path.relative_to(ROOT)}:{token.map[0] + 1}: not {header} cells: {row}")
    return bad


def test_the_files_have_tables() -> None:
    """The check below would pass vacuously if the parser found no table at all."""
    assert sum(token.type == "table_open" for token in MARKDOWN.parse((ROOT / "README.md").read_text())) > 0
    assert has_cells("| a | b |", 2) and not has_cells("| a | b |", 3) and not has_cells("| `a | b` |", 1)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_table_row_has_the_headers_cell_count(path: Path) -> None:
    assert bad_rows(path) == []
