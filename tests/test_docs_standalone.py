"""The documentation stands alone: no reference to a specification, issue or section that is not
in the repository, and every file `make help` points to exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"\bSPEC\b|\bSPEC\.md|\b[Ss]ections? \d|\b[Ii]ssue #?\d")


def _texts() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "Makefile"]
    files += sorted((ROOT / "docs").glob("*.md")) + sorted((ROOT / "bench").glob("*.md"))
    for folder in ("src", "bench", "drills", "tests", "scripts"):
        files += [
            path
            for path in (ROOT / folder).rglob("*")
            if path.suffix in {".py", ".toml", ".md", ".js", ".html"}
            and "vendor" not in path.parts
            and path != Path(__file__)
        ]
    return files


def test_no_reference_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _texts()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not found, "\n".join(found)


def test_files_named_by_make_help_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for named in re.findall(r"see ((?:\w+/)*\w+\.md)", makefile):
        assert (ROOT / named).is_file(), named
