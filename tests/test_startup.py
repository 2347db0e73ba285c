"""`ironlog --version`, `--help` and every group's help start without importing the application:
no web framework, no database toolkit, no server, no password hashing. Each command imports what
it needs in its own body (src/ironlog/cli.py); bench/startup.py measures the time this saves."""

import json
import subprocess
import sys

import pytest

# Modules that only a command's body may import: each costs a good part of a second to load.
# (Not Pydantic itself: Typer converts the options of a command below the root with it.)
HEAVY = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "uvicorn",
    "argon2",
    "pydantic_settings",
    "rich",
    "ironlog.main",
    "ironlog.core.config",
    "ironlog.admin.service",
)

SCRIPT = """
import json, sys
from ironlog.cli import app

heavy = json.loads(sys.argv[1])
if sys.argv[2:]:
    try:
        app(sys.argv[2:], prog_name="ironlog")
    except SystemExit as done:
        assert done.code in (0, None), done.code
loaded = sorted({name for name in sys.modules for module in heavy
                 if name == module or name.startswith(module + ".")})
print("LOADED " + json.dumps(loaded), file=sys.stderr)
"""


def _heavy_modules_loaded(*arguments: str) -> list[str]:
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SCRIPT, json.dumps(HEAVY), *arguments],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    line = next(line for line in result.stderr.splitlines() if line.startswith("LOADED "))
    loaded: list[str] = json.loads(line.removeprefix("LOADED "))
    return loaded


@pytest.mark.parametrize(
    "arguments",
    [(), ("--version",), ("--help",), ("users", "--help"), ("db", "--help"), ("serve", "--help")],
    ids=lambda arguments: " ".join(arguments) or "import",
)
def test_command_line_starts_without_the_application(arguments: tuple[str, ...]) -> None:
    assert _heavy_modules_loaded(*arguments) == []


def test_the_check_sees_a_heavy_import() -> None:
    """The same probe finds the application once a command needs it (`config` reads the
    settings), so an empty list above is not a probe that sees nothing."""
    assert "ironlog.core.config" in _heavy_modules_loaded("config")


FORKED_WORKER = """
import signal, sys
import uvicorn, uvicorn._subprocess
from ironlog.core import serving

serving.preload("ironlog.main:create_app")
assert "ironlog.main" in sys.modules

def started(sockets):
    # What a worker finds: the application already imported, the default signal handlers.
    defaults = (
        signal.getsignal(signal.SIGHUP) == signal.SIG_DFL
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )
    sys.exit(0 if defaults and "ironlog.main" in sys.modules else 3)

signal.signal(signal.SIGHUP, lambda *_: None)  # as uvicorn's supervisor does before forking
worker = uvicorn._subprocess.get_subprocess(
    uvicorn.Config("ironlog.main:create_app", log_config=None), target=started, sockets=[]
)
print(type(worker).__name__)
worker.start()
worker.join(60)
print(worker.exitcode)
"""


def test_serve_forks_its_workers_from_the_imported_application() -> None:
    """`ironlog serve` imports the application once and uvicorn forks the workers from it
    (core/serving.py); this fails if a uvicorn upgrade no longer starts workers through the
    function `preload` replaces."""
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", FORKED_WORKER],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.split() == ["_ForkedWorker", "0"], result.stderr
