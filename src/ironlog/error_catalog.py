"""Every error code IronLog answers with, its HTTP status and its meaning, found in the code.

The codes come from every `DomainError` subclass in the package (a code added anywhere appears
without being listed here) and from `core.errors.OTHER_CODES`, the codes answered without one.
`python -m ironlog.error_catalog --write` regenerates the table of docs/errors.md (a test fails
while it is stale); the OpenAPI document lists the codes on the `Problem` schema's `code`.
"""

import argparse
import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

import ironlog
from ironlog.core.errors import OTHER_CODES, DomainError

BEGIN = "<!-- BEGIN python -m ironlog.error_catalog --write -->"
END = "<!-- END python -m ironlog.error_catalog --write -->"
DOCUMENT = Path("docs") / "errors.md"
# Alembic's environment runs migrations when imported; nothing there defines errors.
_SKIPPED = ("ironlog.migrations",)


@dataclass(frozen=True, order=True)
class ErrorCode:
    code: str
    status: int | None  # None: the status of the framework's error (`http_error`)
    meaning: str


def catalog() -> list[ErrorCode]:
    """Every (code, status) pair, sorted by code, with what it means."""
    _import_every_module()
    meanings: dict[tuple[str, int | None], list[str]] = {}
    for error in sorted(_subclasses(DomainError), key=lambda cls: cls.__qualname__):
        if "code" not in vars(error) and error is not DomainError:
            continue  # a narrower class of its parent's code, which describes it
        if not error.__module__.startswith("ironlog."):
            continue
        meaning = _meaning(error)
        found = meanings.setdefault((error.code, error.status), [])
        if meaning not in found:
            found.append(meaning)
    for code, (status, meaning) in OTHER_CODES.items():
        meanings.setdefault((code, status), []).append(meaning)
    meanings.pop(("bad_request", 400), None)  # DomainError's placeholder, never answered
    return sorted(
        ErrorCode(code, status, " ".join(texts)) for (code, status), texts in meanings.items()
    )


def codes() -> list[str]:
    return sorted({entry.code for entry in catalog()})


def markdown_table() -> str:
    lines = ["| Code | Status | Meaning |", "|---|---|---|"]
    for entry in catalog():
        status = str(entry.status) if entry.status else "other"
        meaning = entry.meaning.replace("|", "\\|")
        lines.append(f"| `{entry.code}` | {status} | {meaning} |")
    return "\n".join(lines) + "\n"


def document_section(text: str) -> str:
    """The generated part of docs/errors.md."""
    start = text.index(BEGIN) + len(BEGIN)
    return text[start : text.index(END)].strip("\n") + "\n"


def write(document: Path) -> bool:
    """Replace the generated table of `document`; whether it changed."""
    text = document.read_text(encoding="utf-8")
    start = text.index(BEGIN) + len(BEGIN)
    updated = text[:start] + "\n" + markdown_table() + text[text.index(END) :]
    document.write_text(updated, encoding="utf-8")
    return updated != text


def document_codes(_app: FastAPI, document: dict[str, Any]) -> None:
    """OpenAPI hook: list every code on the `Problem` schema's `code` (as examples and in its
    description, not as an enum, so that a client built today accepts a code added later)."""
    schema = document["components"]["schemas"]["Problem"]["properties"]["code"]
    every = codes()
    schema["examples"] = every
    schema["description"] = (
        "Stable machine-readable error code, one of: " + ", ".join(f"`{c}`" for c in every) + "."
    )


def _meaning(error: type[DomainError]) -> str:
    return " ".join(error.default_detail.split())


def _subclasses(root: type[DomainError]) -> list[type[DomainError]]:
    found = [root]
    for child in root.__subclasses__():
        found += _subclasses(child)
    return found


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(ironlog.__path__, "ironlog."):
        if not module.name.startswith(_SKIPPED) and module.name != "ironlog.__main__":
            importlib.import_module(module.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"Rewrite the table of {DOCUMENT}.")
    parser.add_argument("--document", type=Path, default=DOCUMENT, help="The file to rewrite.")
    options = parser.parse_args()
    if options.write:
        changed = write(options.document)
        print(f"{options.document}: {'updated' if changed else 'up to date'}")
    else:
        print(markdown_table(), end="")


if __name__ == "__main__":
    main()
