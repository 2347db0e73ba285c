"""`ironlog db backup` and `ironlog db restore` on both databases: back up a database with data
in every table, wipe it (every row, or the whole database), restore, and find every row back."""

import asyncio
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url, select, text
from typer.testing import CliRunner

from ironlog.cli import app as cli
from ironlog.core import backup, migrations
from ironlog.core.config import Settings
from ironlog.core.db import create_engine, metadata
from ironlog.main import close_databases, create_app
from tests.conftest import BACKENDS, _admin_execute, _postgres_url, make_settings
from tests.live_server import live_server

PASSWORD = "correct horse"
Snapshot = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own (it gets wiped), migrated."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'live' / 'ironlog.db'}"
        migrations.upgrade(make_settings(url, tmp_path))
        yield url
        return
    name = f"ironlog_test_backup_{secrets.token_hex(5)}"
    asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
    try:
        url = _postgres_url(name)
        migrations.upgrade(make_settings(url, tmp_path))
        yield url
    finally:
        asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def runner(fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("IRONLOG_DATABASE_URL", fresh_url)
    monkeypatch.setenv("IRONLOG_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("IRONLOG_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return CliRunner()


async def _fill(settings: Settings) -> None:
    """Rows in every table: users, sessions, refresh tokens, login failures, idempotency keys,
    exercises, workouts, executions, sets, body measurements, preferences, sync tombstones,
    OIDC sign-in state, invites, password reset links."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = {"email": "ada@example.com", "password": PASSWORD, "name": "Ada"}
            tokens = (await client.post("/api/v1/auth/register", json=body)).json()["tokens"]
            headers = {"Authorization": f"Bearer {tokens['access_token']}"}
            wrong = {"email": "ada@example.com", "password": "wrong password"}
            assert (await client.post("/api/v1/auth/login", json=wrong)).status_code == 401
            exercise = await client.post(
                "/api/v1/exercises",
                json={"name": "Zercher Squat", "body_part": "quads", "modality": "BARBELL"},
                headers=headers,
            )
            sets = [{"weight_kg": 100.5, "reps": 5, "rpe": 8.5}, {"reps": 8, "notes": "easy"}]
            workout = {
                "name": "Leg day",
                "started_at": "2026-11-20T17:30:00Z",
                "exercises": [{"exercise_id": exercise.json()["id"], "sets": sets}],
            }
            created = await client.post(
                "/api/v1/workouts",
                json=workout,
                headers={**headers, "Idempotency-Key": "leg-day-1"},
            )
            assert created.status_code == 201, created.text
            finish = f"/api/v1/workouts/{created.json()['id']}/finish"
            assert (await client.post(finish, headers=headers)).status_code == 200
            folder = await client.post(
                "/api/v1/routine-folders", json={"name": "Legs"}, headers=headers
            )
            routine = {
                "name": "Leg day",
                "folder_id": folder.json()["id"],
                "exercises": [{"exercise_id": exercise.json()["id"], "sets": [{"reps": 5}]}],
            }
            saved = await client.post("/api/v1/routines", json=routine, headers=headers)
            assert saved.status_code == 201, saved.text
            measurement = {"weight_kg": 102.058, "waist": 84.25, "notes": "am"}
            response = await client.put(
                "/api/v1/body-measurements/2026-11-20", json=measurement, headers=headers
            )
            assert response.status_code == 201, response.text
            preferences = {"timezone": "Europe/Paris", "plates_kg": [20, 10, 1.25]}
            response = await client.patch(
                "/api/v1/users/me/preferences", json=preferences, headers=headers
            )
            assert response.status_code == 200
            # The first account is the administrator: an invite and a reset link.
            invite = await client.post("/api/v1/admin/invites", headers=headers)
            assert invite.status_code == 201, invite.text
            me = (await client.get("/api/v1/users/me", headers=headers)).json()
            reset = await client.post(f"/api/v1/admin/users/{me['id']}/reset-link", headers=headers)
            assert reset.status_code == 201, reset.text
            # A deletion, for the sync feed's tombstones.
            gone = await client.post("/api/v1/workouts", json={"name": "Gone"}, headers=headers)
            deleted = await client.delete(f"/api/v1/workouts/{gone.json()['id']}", headers=headers)
            assert deleted.status_code == 204
    finally:
        await close_databases(app)


async def _snapshot(settings: Settings) -> Snapshot:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            rows: Snapshot = {
                table.name: [
                    tuple(row)
                    for row in await connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in metadata.sorted_tables
            }
            version = await connection.execute(text("SELECT version_num FROM alembic_version"))
            rows["alembic_version"] = [tuple(row) for row in version]
            return rows
    finally:
        await engine.dispose()


async def _delete_every_row(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(table.delete())
            await connection.execute(text("DELETE FROM alembic_version"))
    finally:
        await engine.dispose()


def _drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    name = make_url(url).database
    asyncio.run(_admin_execute(f'DROP DATABASE "{name}" WITH (FORCE)'))
    asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))


async def _can_log_in(settings: Settings) -> bool:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = {"email": "ada@example.com", "password": PASSWORD}
            return (await client.post("/api/v1/auth/login", json=body)).status_code == 200
    finally:
        await close_databases(app)


@pytest.mark.parametrize("wipe", ["every_row", "whole_database"])
def test_restore_brings_back_every_row(
    wipe: str, fresh_url: str, runner: CliRunner, tmp_path: Path
) -> None:
    settings = make_settings(fresh_url, tmp_path)
    asyncio.run(_fill(settings))
    before = asyncio.run(_snapshot(settings))
    expected_tables = {table.name for table in metadata.sorted_tables} - {"oidc_login"}
    assert {name for name, rows in before.items() if rows} >= expected_tables

    file = tmp_path / "backups" / "ironlog.backup"
    result = runner.invoke(cli, ["db", "backup", str(file)])
    assert result.exit_code == 0, result.output
    assert file.stat().st_size > 0
    assert file.stat().st_mode & 0o077 == 0  # password hashes inside: owner-only

    if wipe == "every_row":
        asyncio.run(_delete_every_row(settings))
        assert not any(asyncio.run(_snapshot(settings)).values())
    else:
        _drop_database(fresh_url)

    result = runner.invoke(cli, ["db", "restore", str(file)])
    assert result.exit_code == 0, result.output
    assert asyncio.run(_snapshot(settings)) == before
    assert asyncio.run(_can_log_in(settings))
    if not settings.is_sqlite:
        assert asyncio.run(_never_analysed(settings)) == []


async def _never_analysed(settings: Settings) -> list[str]:
    """PostgreSQL: the tables that no ANALYZE command (autovacuum's aside) has gathered
    statistics of since they were made."""
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            found = await connection.scalars(
                text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NULL")
            )
            return sorted(found)
    finally:
        await engine.dispose()


def test_backup_replaces_an_older_file_only_when_whole(
    fresh_url: str, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "ironlog.backup"
    file.write_bytes(b"yesterday's backup")

    def fail(*_args: object, **_kwargs: object) -> None:
        raise backup.BackupError("disk full")

    monkeypatch.setattr(backup, "_sqlite_backup", fail)
    monkeypatch.setattr(backup, "_run", fail)
    result = runner.invoke(cli, ["db", "backup", str(file)])
    assert result.exit_code == 1
    assert "Backup failed: disk full" in result.output
    assert file.read_bytes() == b"yesterday's backup"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".ironlog")] == []


def test_restore_refuses_a_file_that_is_not_a_backup(
    fresh_url: str, runner: CliRunner, tmp_path: Path
) -> None:
    settings = make_settings(fresh_url, tmp_path)
    asyncio.run(_fill(settings))
    before = asyncio.run(_snapshot(settings))
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup\n")

    result = runner.invoke(cli, ["db", "restore", str(junk)])

    assert result.exit_code == 1
    assert "Restore failed" in result.output
    assert asyncio.run(_snapshot(settings)) == before


@pytest.mark.parametrize("backend", [BACKENDS[1]])
def test_postgres_credentials_go_to_the_environment_not_the_command_line(
    fresh_url: str,
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "s3cret-" + secrets.token_hex(8)
    url = make_url(fresh_url)
    if url.password is None:  # the test server trusts local connections: any password works
        url = url.set(password=secret)
    else:
        secret = url.password
    monkeypatch.setenv("IRONLOG_DATABASE_URL", url.render_as_string(hide_password=False))
    calls: list[tuple[list[str], dict[str, str]]] = []
    real_run = backup.subprocess.run

    def recording_run(argv: list[str], **kwargs: Any) -> Any:
        calls.append((argv, kwargs["env"]))
        return real_run(argv, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", recording_run)
    file = tmp_path / "ironlog.dump"

    backed_up = runner.invoke(cli, ["db", "backup", str(file)])
    restored = runner.invoke(cli, ["db", "restore", str(file)])

    assert backed_up.exit_code == 0, backed_up.output
    assert restored.exit_code == 0, restored.output
    assert [argv[0] for argv, _env in calls] == ["pg_dump", "pg_restore"]
    for argv, env in calls:
        assert not any(secret in argument for argument in argv)
        assert env["PGPASSWORD"] == secret
        assert env["PGDATABASE"] == url.database
    assert secret not in backed_up.output + restored.output


def _wait_until_unused(settings: Settings) -> None:
    """A stopped server's connections leave pg_stat_activity shortly after it exits."""
    if settings.is_sqlite:
        return
    deadline = time.monotonic() + 30
    while asyncio.run(backup._server_connections(settings)):
        assert time.monotonic() < deadline, "the stopped server's connections stayed"
        time.sleep(0.1)


def test_restore_refuses_while_a_server_uses_the_database(
    fresh_url: str, runner: CliRunner, tmp_path: Path
) -> None:
    settings = make_settings(fresh_url, tmp_path)
    file = tmp_path / "empty.backup"
    assert runner.invoke(cli, ["db", "backup", str(file)]).exit_code == 0
    asyncio.run(_fill(settings))
    filled = backup.counts(settings)
    assert filled is not None and filled.users and filled.workouts

    with live_server(tmp_path / "server", fresh_url):
        refused = runner.invoke(cli, ["db", "restore", str(file)])

        assert refused.exit_code == 1, refused.output
        assert "Restore refused" in refused.output
        assert "Stop the server first, or pass --force." in refused.output
        assert backup.counts(settings) == filled

    _wait_until_unused(settings)
    restored = runner.invoke(cli, ["db", "restore", str(file)])

    assert restored.exit_code == 0, restored.output
    assert f"before: {filled}" in restored.output
    assert "after:  0 user(s), 0 workout(s)" in restored.output
    assert backup.counts(settings) == backup.Counts(users=0, workouts=0)


def test_restore_with_force_replaces_a_served_database(
    fresh_url: str, runner: CliRunner, tmp_path: Path
) -> None:
    settings = make_settings(fresh_url, tmp_path)
    file = tmp_path / "empty.backup"
    assert runner.invoke(cli, ["db", "backup", str(file)]).exit_code == 0
    asyncio.run(_fill(settings))
    filled = backup.counts(settings)

    with live_server(tmp_path / "server", fresh_url):
        forced = runner.invoke(cli, ["db", "restore", "--force", str(file)])

        assert forced.exit_code == 0, forced.output
        assert f"before: {filled}" in forced.output
        assert "after:  0 user(s), 0 workout(s)" in forced.output
        assert backup.counts(settings) == backup.Counts(users=0, workouts=0)
