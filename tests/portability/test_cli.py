"""`ironlog import` and `ironlog export`: the same service code, for files of any size."""

import asyncio
import csv
import io
import json
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from ironlog.cli import app
from ironlog.core.clock import utc_now
from ironlog.core.db import create_engine, create_sessionmaker, session_scope
from ironlog.models import User, Workout
from ironlog.users import repository as user_repository
from tests.conftest import make_settings
from tests.portability.helpers import FILES


def _run_db(database_url: str, tmp_path: Path, work: object) -> object:
    async def run() -> object:
        engine = create_engine(make_settings(database_url, tmp_path))
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                return await work(session)  # type: ignore[operator]
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def account(database_url: str, tmp_path: Path) -> Iterator[tuple[uuid.UUID, str]]:
    """A user committed to the run's database (the command uses its own connection), deleted
    afterwards with everything it owns so other tests see a clean database."""
    user_id, email = uuid.uuid4(), f"cli-{secrets.token_hex(4)}@example.com"

    async def add(session: object) -> None:
        now = utc_now()
        session.add(  # type: ignore[attr-defined]
            User(id=user_id, email=email, name="CLI", created_at=now, updated_at=now)
        )

    async def remove(session: object) -> None:
        await user_repository.delete_user(session, user_id)  # type: ignore[arg-type]

    _run_db(database_url, tmp_path, add)
    yield user_id, email
    _run_db(database_url, tmp_path, remove)


@pytest.fixture
def runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("IRONLOG_DATABASE_URL", database_url)
    monkeypatch.setenv("IRONLOG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IRONLOG_ENV", "test")
    return CliRunner()


def _workouts(database_url: str, tmp_path: Path, user_id: uuid.UUID) -> int:
    async def count(session: object) -> int:
        statement = select(func.count()).where(Workout.user_id == user_id)
        return int(await session.scalar(statement))  # type: ignore[attr-defined]

    return int(_run_db(database_url, tmp_path, count))  # type: ignore[call-overload]


def test_import_and_export_commands(
    runner: CliRunner, account: tuple[uuid.UUID, str], database_url: str, tmp_path: Path
) -> None:
    user_id, email = account
    file = str(FILES / "strong_full.csv")
    dry = runner.invoke(app, ["import", file, "--user", email, "--unit", "lb", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout.strip().splitlines()[-1])["dry_run"] is True
    assert _workouts(database_url, tmp_path, user_id) == 0

    result = runner.invoke(
        app, ["import", file, "--user", email.upper(), "--unit", "lb", "--timezone", "UTC"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert (report["workouts_new"], report["sets"]) == (2, 12)
    assert _workouts(database_url, tmp_path, user_id) == 2

    output = tmp_path / "export.json"
    exported = runner.invoke(app, ["export", "--user", email, "--output", str(output)])
    assert exported.exit_code == 0, exported.output
    body = json.loads(output.read_text())
    assert [w["name"] for w in body["workouts"]] == ["Push Day", "Leg Day"]

    as_csv = runner.invoke(app, ["export", "--user", email, "--format", "csv"])
    assert as_csv.exit_code == 0
    assert len(list(csv.reader(io.StringIO(as_csv.stdout)))) == 13


def test_import_command_reports_unreadable_rows(
    runner: CliRunner, account: tuple[uuid.UUID, str], database_url: str, tmp_path: Path
) -> None:
    user_id, email = account
    result = runner.invoke(app, ["import", str(FILES / "strong_bad_rows.csv"), "--user", email])
    assert result.exit_code == 1
    assert "row 3: reps 'eight' is not a number" in result.stderr
    assert _workouts(database_url, tmp_path, user_id) == 0


def test_import_command_refuses_unknown_accounts_and_zones(runner: CliRunner) -> None:
    file = str(FILES / "strong_old.csv")
    unknown = runner.invoke(app, ["import", file, "--user", "nobody@example.com"])
    assert unknown.exit_code == 1
    assert "No account" in unknown.stderr
    zone = runner.invoke(app, ["import", file, "--user", "x@example.com", "--timezone", "Nowhere"])
    assert zone.exit_code == 2
