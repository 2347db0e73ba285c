"""The built wheel is enough to run IronLog: built with `uv build`, installed with its locked
dependencies (and nothing of the dev group) into a fresh virtual environment, `ironlog serve`
migrates a new SQLite database, loads the exercise library and serves the API and the web app.

Needs uv (as `make test` has: on PATH, in $UV or in .tools/bin) and the locked packages in uv's
cache, which `make sync` fills."""

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.live_server import REQUEST_TIMEOUT, live_server

ROOT = Path(__file__).resolve().parents[1]


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is needed to build the wheel: run the tests with `make test`")
    return found


def _run(*arguments: str | Path, cwd: Path, **env: str) -> str:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT"}
    }
    environment.update(env)
    finished = subprocess.run(  # noqa: S603 - uv, on the project's own files
        [str(argument) for argument in arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("dist")
    _run(_uv(), "build", "--wheel", "--out-dir", output, ROOT, cwd=ROOT)
    [built] = output.glob("ironlog-*.whl")
    return built


def test_wheel_holds_the_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "src" / "ironlog"
    expected = [
        "ironlog/data/exercises.json",
        "ironlog/migrations/env.py",
        "ironlog/migrations/script.py.mako",
        "ironlog/web/templates/index.html",
        "ironlog/web/static/app.css",
    ]
    for folder in ("migrations/versions", "web/static", "web/templates"):
        expected += [
            f"ironlog/{file.relative_to(package).as_posix()}"
            for file in (package / folder).rglob("*")
            if file.is_file() and "__pycache__" not in file.parts
        ]
    missing = sorted(set(expected) - names)
    assert not missing, f"the wheel lacks {missing}"


def test_ironlog_serves_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    uv = _uv()
    venv = tmp_path / "venv"
    # The runtime dependencies at their locked versions (no dev group; from uv's cache, filled by
    # `make sync`), then the wheel itself.
    _run(
        uv, "sync", "--frozen", "--offline", "--no-dev", "--no-install-project", "--quiet",
        "--project", ROOT, cwd=tmp_path, UV_PROJECT_ENVIRONMENT=str(venv),
    )  # fmt: skip
    python = venv / "bin" / "python"
    _run(uv, "pip", "install", "--quiet", "--no-deps", "--python", python, wheel, cwd=tmp_path)
    _run(uv, "pip", "check", "--quiet", "--python", python, cwd=tmp_path)
    location = _run(python, "-c", "import ironlog; print(ironlog.__file__)", cwd=tmp_path)
    assert location.startswith(str(venv)), location
    dev_only = subprocess.run(  # noqa: S603 - the dev group is not installed
        [python, "-c", "import pytest"], capture_output=True, check=False
    )
    assert dev_only.returncode != 0

    database = tmp_path / "served" / "ironlog.db"
    with live_server(
        tmp_path / "served", f"sqlite:///{database}", command=[str(venv / "bin" / "ironlog")]
    ) as server:
        assert httpx.get(f"{server.url}/health", timeout=REQUEST_TIMEOUT).status_code == 200
        page = httpx.get(f"{server.url}/", timeout=REQUEST_TIMEOUT)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        [script] = re.findall(r'src="(/[^"]+/app/main\.js)"', page.text)
        assert httpx.get(f"{server.url}{script}", timeout=REQUEST_TIMEOUT).status_code == 200
        assert httpx.get(f"{server.url}/docs", timeout=REQUEST_TIMEOUT).status_code == 200
        account = httpx.post(
            f"{server.url}/api/v1/auth/register",
            json={"email": "wheel@example.com", "password": "correct horse", "name": "W"},
            timeout=REQUEST_TIMEOUT,
        )
        assert account.status_code == 201, account.text
        token = account.json()["tokens"]["access_token"]
        exercises = httpx.get(
            f"{server.url}/api/v1/exercises",
            params={"limit": 1},
            headers={"Authorization": f"Bearer {token}"},
            timeout=REQUEST_TIMEOUT,
        )
        assert exercises.status_code == 200, exercises.text
        assert exercises.json()["items"], "the system exercise library is loaded"
    assert "System exercise library:" in server.log_text()
    assert database.exists()
