"""`ironlog users ...`: the same service code, on the configured database, both backends."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from typer.testing import CliRunner

from ironlog.cli import app
from ironlog.core.db import create_engine, create_sessionmaker, session_scope
from ironlog.models import Invite, PasswordReset, User
from tests.conftest import make_settings

PREFIX = "cli-admin-"


def _users(database_url: str, tmp_path: Path) -> dict[str, User]:
    async def read() -> dict[str, User]:
        engine = create_engine(make_settings(database_url, tmp_path))
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                found = await session.scalars(select(User).where(User.email.startswith(PREFIX)))
                return {user.email: user for user in found}
        finally:
            await engine.dispose()

    return asyncio.run(read())


@pytest.fixture
def runner(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    monkeypatch.setenv("IRONLOG_DATABASE_URL", database_url)
    monkeypatch.setenv("IRONLOG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IRONLOG_ENV", "test")
    monkeypatch.setenv("IRONLOG_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("IRONLOG_ARGON2_MEMORY_COST_KIB", "1024")
    monkeypatch.setenv("IRONLOG_ARGON2_PARALLELISM", "1")
    monkeypatch.delenv("IRONLOG_PUBLIC_URL", raising=False)
    yield CliRunner()

    async def clean() -> None:
        engine = create_engine(make_settings(database_url, tmp_path))
        try:
            async with engine.begin() as connection:
                await connection.execute(delete(User).where(User.email.startswith(PREFIX)))
                await connection.execute(delete(Invite))
        finally:
            await engine.dispose()

    asyncio.run(clean())


def test_create_list_promote_demote_disable_delete(
    runner: CliRunner, database_url: str, tmp_path: Path
) -> None:
    boss, friend = f"{PREFIX}boss@example.com", f"{PREFIX}friend@example.com"
    created = runner.invoke(
        app,
        ["users", "create", boss, "--name", "Boss", "--admin", "--password-stdin"],
        input="boss horse 1\n",
    )
    assert created.exit_code == 0, created.output
    assert "administrator" in created.stdout
    created = runner.invoke(
        app, ["users", "create", friend.upper(), "--password-stdin"], input="friend horse\n"
    )
    assert created.exit_code == 0, created.output
    assert "boss horse" not in created.output

    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0, listed.output
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()[1:-1]}
    assert "admin" in lines[boss].split() and "active" in lines[boss].split()
    assert "user" in lines[friend].split()
    assert listed.stdout.splitlines()[0].split() == ["EMAIL", "NAME", "ROLE", "STATE", "CREATED"]

    refused = runner.invoke(app, ["users", "demote", boss])
    assert refused.exit_code == 1
    assert "last enabled administrator" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    assert runner.invoke(app, ["users", "promote", friend]).exit_code == 0
    assert runner.invoke(app, ["users", "demote", boss]).exit_code == 0
    assert runner.invoke(app, ["users", "disable", friend]).exit_code == 1  # the last admin
    assert runner.invoke(app, ["users", "promote", boss]).exit_code == 0
    disabled = runner.invoke(app, ["users", "disable", friend])
    assert disabled.exit_code == 0, disabled.output
    users = _users(database_url, tmp_path)
    assert users[friend].disabled_at is not None and users[friend].is_admin
    assert "disabled" in runner.invoke(app, ["users", "list"]).stdout
    assert runner.invoke(app, ["users", "enable", friend]).exit_code == 0
    assert _users(database_url, tmp_path)[friend].disabled_at is None

    taken = runner.invoke(app, ["users", "create", boss, "--password-stdin"], input="x" * 9 + "\n")
    assert taken.exit_code == 1 and "already exists" in taken.stderr

    deleted = runner.invoke(app, ["users", "delete", friend, "--yes"])
    assert deleted.exit_code == 0, deleted.output
    assert friend not in _users(database_url, tmp_path)


def test_unknown_email_and_bad_passwords_are_one_line(runner: CliRunner) -> None:
    for command in (
        ["users", "disable", f"{PREFIX}nobody@example.com"],
        ["users", "reset-link", f"{PREFIX}nobody@example.com"],
        ["users", "delete", f"{PREFIX}nobody@example.com", "--yes"],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, command
        assert result.stderr.strip().splitlines()[-1] == (
            f"ironlog users: No account has the email '{PREFIX}nobody@example.com'."
        )
    short = runner.invoke(
        app, ["users", "create", f"{PREFIX}a@example.com", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1
    assert short.stderr == "ironlog users: the password needs 8 to 128 characters.\n"


def test_password_prompt_hides_and_confirms(
    runner: CliRunner, database_url: str, tmp_path: Path
) -> None:
    email = f"{PREFIX}prompt@example.com"
    mismatch = runner.invoke(
        app,
        ["users", "create", email],
        input="first horse\nother horse\nfirst horse\nfirst horse\n",
    )
    assert mismatch.exit_code == 0, mismatch.output
    assert "first horse" not in mismatch.output
    assert "do not match" in mismatch.output
    before = _users(database_url, tmp_path)[email].password_hash
    changed = runner.invoke(
        app, ["users", "set-password", email, "--password-stdin"], input="second horse\n"
    )
    assert changed.exit_code == 0, changed.output
    assert _users(database_url, tmp_path)[email].password_hash != before


def test_invite_and_reset_links(
    runner: CliRunner, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = runner.invoke(app, ["users", "invite"])
    assert bare.exit_code == 0, bare.output
    assert bare.stdout.startswith("/#/signup?invite=")
    assert "IRONLOG_PUBLIC_URL" in bare.stderr

    monkeypatch.setenv("IRONLOG_PUBLIC_URL", "https://lift.example.com")
    invited = runner.invoke(app, ["users", "invite"])
    assert invited.stdout.startswith("https://lift.example.com/#/signup?invite=")
    given = runner.invoke(app, ["users", "invite", "--base-url", "http://10.0.0.2:8000/"])
    assert given.stdout.startswith("http://10.0.0.2:8000/#/signup?invite=")

    email = f"{PREFIX}reset@example.com"
    runner.invoke(app, ["users", "create", email, "--password-stdin"], input="reset horse\n")
    link = runner.invoke(app, ["users", "reset-link", email])
    assert link.exit_code == 0, link.output
    assert link.stdout.startswith("https://lift.example.com/#/reset-password?token=")
    token = link.stdout.strip().split("?token=", 1)[1]

    async def stored() -> list[str]:
        engine = create_engine(make_settings(database_url, tmp_path))
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                return list((await session.scalars(select(PasswordReset.token_hash))).all())
        finally:
            await engine.dispose()

    hashes = asyncio.run(stored())
    assert token not in hashes and len(hashes) == 1
