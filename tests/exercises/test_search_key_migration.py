"""Migration 4b7e1f0c9a2d fills `exercise.search_key` with a frozen copy of the folding in
`ironlog.core.text` (migrations import nothing of the app): the two must agree on any name, and
the upgrade fills the rows an older database holds (a database of its own, on both backends)."""

import asyncio
import importlib.util
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

import ironlog
from ironlog.core import migrations
from ironlog.core.config import Settings
from ironlog.core.db import create_engine
from ironlog.core.text import search_key
from tests.conftest import _admin_execute, _postgres_url, make_settings

COLUMNS = ("id", "user_id", "name", "name_key", "body_part", "modality")

VERSIONS = Path(ironlog.__file__).parent / "migrations" / "versions"


def _migration() -> ModuleType:
    (path,) = VERSIONS.glob("*_exercise_search_key_4b7e1f0c9a2d.py")
    spec = importlib.util.spec_from_file_location("search_key_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MIGRATION = _migration()
NAMES = st.text(
    st.sampled_from(list("abcdeéiosxyz -'’_.,()/%ÉÀç0123456789ﬁ")) | st.characters(), max_size=100
)


@given(NAMES)
def test_the_migrations_folding_is_the_apps(name: str) -> None:
    assert MIGRATION._search_key(name) == search_key([name])


def test_the_migrations_folding_on_lifters_names() -> None:
    for name in ("Pull-Ups", "Farmer's Walk", "Plié Squats", "DB Flyes", "Calves", "Abs"):
        assert MIGRATION._search_key(name) == search_key([name]), name


BEFORE, SEARCH_KEY = "a1d3e5f70b92", "4b7e1f0c9a2d"
exercise = sa.table(
    "exercise",
    *[sa.column(name, sa.Uuid() if name.endswith("id") else None) for name in COLUMNS],
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[Settings]:
    if backend == "sqlite":
        yield make_settings(f"sqlite:///{tmp_path / 'search_key.db'}", tmp_path)
        return
    name = f"ironlog_search_key_{secrets.token_hex(4)}"
    asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
    try:
        yield make_settings(_postgres_url(name), tmp_path)
    finally:
        asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _insert(settings: Settings, names: list[str]) -> None:
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            when = datetime(2021, 1, 1, tzinfo=UTC)
            if connection.dialect.name == "sqlite":
                when = when.replace(tzinfo=None)
            await connection.execute(
                exercise.insert(),
                [
                    {
                        "id": uuid.uuid4(),
                        "user_id": None,
                        "name": name,
                        "name_key": name.casefold(),
                        "body_part": "back",
                        "modality": "BODYWEIGHT",
                        "created_at": when,
                        "updated_at": when,
                    }
                    for name in names
                ],
            )
    finally:
        await engine.dispose()


async def _keys(settings: Settings) -> dict[str, str]:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(sa.text("SELECT name, search_key FROM exercise"))
            return {row.name: row.search_key for row in rows}
    finally:
        await engine.dispose()


def test_upgrade_fills_every_search_key_and_downgrade_drops_it(database: Settings) -> None:
    names = ["Pull-Ups", "Farmer's Walk", "Plié Squats"]
    migrations.upgrade(database, BEFORE)
    asyncio.run(_insert(database, names))
    migrations.upgrade(database, SEARCH_KEY)
    assert asyncio.run(_keys(database)) == {name: search_key([name]) for name in names}
    migrations.downgrade(database, BEFORE)
    migrations.upgrade(database, "head")
    assert asyncio.run(_keys(database)) == {name: search_key([name]) for name in names}
