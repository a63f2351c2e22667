"""Write each role's variable tables into roles/<role>/README.md from meta/argument_specs.yml.

    python tools/role_docs.py          rewrite the generated sections
    python tools/role_docs.py --check  exit 1 when a README differs (tests run this)

The section sits between the BEGIN/END markers below; the rest of each README
is written by hand.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- BEGIN GENERATED VARIABLES (tools/role_docs.py) -->"
END = "<!-- END GENERATED VARIABLES -->"
MARKUP = [(re.compile(r"[CV]\(([^)]*)\)"), r"`\1`"), (re.compile(r"[IB]\(([^)]*)\)"), r"*\1*")]


def plain(text: str) -> str:
    for pattern, repl in MARKUP:
        text = pattern.sub(repl, text)
    return text.replace("|", "\\|").replace("\n", " ")


def code(text: str) -> str:
    """A code span that stays in its table cell: GFM cuts a row at every pipe not escaped with a
    backslash, even inside backticks."""
    text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def yaml_flow(value: object) -> str:
    """A default as YAML on one line. PyYAML ends a lone scalar (60, false) with the document end
    marker "..." on a line of its own, which would end the table row: drop it."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True).strip()
    return text.removesuffix("\n...").strip()


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # a line break would end the row: show such a string JSON-quoted, with \n
        return code(json.dumps(value) if "\n" in value else value) if value else '`""`'
    return code(yaml_flow(value))


def describe(spec: dict) -> str:
    desc = spec.get("description", "")
    text = " ".join(desc) if isinstance(desc, list) else str(desc)
    if spec.get("choices"):
        text += " Choices: " + ", ".join(f"`{c}`" for c in spec["choices"]) + "."
    if spec.get("required"):
        text += " Required."
    return plain(text)


def kind(spec: dict) -> str:
    t = spec.get("type", "str")
    return f"{t} of {spec['elements']}" if t == "list" and spec.get("elements") else t


def render(role_dir: Path) -> str:
    specs = yaml.safe_load((role_dir / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    out = [BEGIN, ""]
    for entry, body in specs.items():
        out.append(f"### Entry point `{entry}`: {plain(body.get('short_description', ''))}")
        out.append("")
        options = body.get("options") or {}
        if not options:
            out += ["No variables.", ""]
            continue
        out.append("| Variable | Type | Default | Description |")
        out.append("| --- | --- | --- | --- |")
        for name, spec in options.items():
            out.append(f"| `{name}` | {kind(spec)} | {cell(spec.get('default'))} | {describe(spec)} |")
        out.append("")
    out.append(END)
    return "\n".join(out)


def updated(readme: Path, section: str) -> str:
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{readme}: add the markers {BEGIN!r} and {END!r} where the variables go")
    head, rest = text.split(BEGIN, 1)
    return head + section + rest.split(END, 1)[1]


def main(argv: list[str]) -> int:
    stale = []
    for role_dir in sorted((ROOT / "roles").iterdir()):
        if not (role_dir / "meta" / "argument_specs.yml").exists():
            continue
        readme = role_dir / "README.md"
        new = updated(readme, render(role_dir))
        if new != readme.read_text():
            stale.append(readme)
            if "--check" not in argv:
                readme.write_text(new)
    if stale and "--check" in argv:
        print("out of date (run python tools/role_docs.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
