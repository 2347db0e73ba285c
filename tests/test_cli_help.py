"""Every command's `--help` reads well at 80 columns: whole option names, no Typer type markers
on flags, no `{file}` in usage lines, prose wrapped at the width rather than where the source
broke its lines, and command summaries that are not cut."""

from collections.abc import Iterator
from itertools import pairwise

import click
import pytest
import typer.main
from typer.testing import CliRunner

from ironlog.cli import app as cli

WIDTH = 80


def _commands(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group) or hasattr(command, "commands"):
        for name, child in getattr(command, "commands", {}).items():
            yield from _commands(child, (*path, name))


COMMANDS = dict(_commands(typer.main.get_command(cli)))


def test_every_command_is_checked() -> None:
    names = {" ".join(path) for path in COMMANDS}
    assert {"", "serve", "config", "db", "db restore", "import", "export", "sync cleanup"} <= names


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda path: " ".join(path) or "ironlog")
def test_help_reads_well_at_80_columns(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(
        cli, [*path, "--help"], prog_name="ironlog", env={"COLUMNS": str(WIDTH)}
    )

    assert result.exit_code == 0, result.output
    text = result.output
    lines = text.splitlines()
    usage = lines[0]
    assert usage.startswith(f"Usage: ironlog {' '.join(path)}".rstrip()), usage
    assert "{" not in usage and "}" not in usage, usage
    assert "<bool>" not in text
    assert "…" not in text
    for line in lines:
        assert len(line) <= WIDTH, line
    command = COMMANDS[path]
    for param in command.params:
        for name in (*param.opts, *param.secondary_opts):
            if name.startswith("-"):
                assert name in text, f"{name} is cut or missing"
        if isinstance(param, click.Argument):
            assert (param.metavar or param.name or "").upper() in usage
    _assert_no_early_line_breaks(_description(lines))
    for line in _section(lines, "Commands:"):
        assert not line.rstrip().endswith("..."), f"summary cut: {line}"


def _description(lines: list[str]) -> list[str]:
    """The prose between the usage line and the first section."""
    prose = []
    for line in lines[1:]:
        if line.endswith(":") and not line.startswith(" "):
            break
        prose.append(line)
    return prose


def _section(lines: list[str], heading: str) -> list[str]:
    if heading not in lines:
        return []
    section = []
    for line in lines[lines.index(heading) + 1 :]:
        if not line.strip():
            break
        section.append(line)
    return section


def _assert_no_early_line_breaks(prose: list[str]) -> None:
    """Within a paragraph, a line ends only where the next word would not fit: a hard line break
    of the docstring would end a line short, mid-sentence."""
    width = WIDTH - 2  # Click's formatter keeps two columns free
    for line, following in pairwise(prose):
        if line.strip() and following.strip():
            next_word = following.split()[0]
            assert len(line) + 1 + len(next_word) > width, f"early line break after: {line!r}"
