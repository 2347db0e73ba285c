"""Migration 679f7ce8a9e5: zeros that Strong and FitNotes wrote for "not entered" become null in
what earlier imports stored, and nothing else changes. Run on a database of its own, migrated up
to the revision before, filled with the old importer's rows, then migrated up and down."""

import asyncio
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ironlog.core import migrations
from ironlog.core.config import Settings
from ironlog.core.db import create_engine
from tests.conftest import _admin_execute, _postgres_url, make_settings

BEFORE, ZEROS = "86a662d92a84", "679f7ce8a9e5"
CREATED = datetime(2021, 1, 1, tzinfo=UTC)


def _columns(*names: str) -> list[sa.ColumnClause[Any]]:
    return [sa.column(name, sa.Uuid() if name.endswith("id") else None) for name in names]


# The tables as they are at revision BEFORE (not the models, which move on).
app_user = sa.table(
    "app_user",
    *_columns("id", "email", "name", "email_verified"),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
exercise = sa.table(
    "exercise",
    *_columns("id", "user_id", "name", "name_key", "body_part", "modality"),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
workout = sa.table(
    "workout",
    *_columns("id", "user_id", "name", "status", "source", "source_key"),
    sa.column("version", sa.Integer()),
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
execution = sa.table(
    "exercise_execution",
    *_columns("workout_id", "exercise_id", "position"),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
workout_set = sa.table(
    "workout_set",
    *_columns("id", "workout_id", "exercise_id", "position", "set_type"),
    sa.column("weight_kg", sa.Numeric(asdecimal=False)),
    sa.column("reps", sa.Integer()),
    sa.column("duration_seconds", sa.Integer()),
    sa.column("distance_m", sa.Numeric(asdecimal=False)),
    sa.column("completed", sa.Boolean()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)

# (weight_kg, reps, duration_seconds, distance_m) as the old importer stored them.
OLD_SETS = [
    (0, 0, 60, None),  # a plank: keeps its time only
    (0, 0, None, 2000),  # a row on the erg: keeps its distance only
    (20, 0, 45, None),  # a weighted carry for time: the weight stays, the 0 reps go
    (0, 12, 30, None),  # timed reps without weight: the reps stay, the 0 kg goes
    (0, 10, None, None),  # bodyweight pull-ups: no time or distance, untouched
    (0, 0, None, None),  # a set of nothing: no time or distance, untouched
    (60, 5, None, None),  # an ordinary set, untouched
]
NEW_SETS = [
    (None, None, 60, None),
    (None, None, None, 2000),
    (20, None, 45, None),
    (None, 12, 30, None),
    (0, 10, None, None),
    (0, 0, None, None),
    (60, 5, None, None),
]
SOURCES = ["strong", "fitnotes", "hevy", "ironlog", None]


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[Settings]:
    if backend == "sqlite":
        yield make_settings(f"sqlite:///{tmp_path / 'zeros.db'}", tmp_path)
        return
    name = f"ironlog_zeros_{secrets.token_hex(4)}"
    asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
    try:
        yield make_settings(_postgres_url(name), tmp_path)
    finally:
        asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _stamp(dialect: str) -> datetime:
    return CREATED.replace(tzinfo=None) if dialect == "sqlite" else CREATED


async def _fill(settings: Settings) -> dict[str | None, uuid.UUID]:
    engine = create_engine(settings)
    workout_ids = {source: uuid.uuid4() for source in SOURCES}
    try:
        async with engine.begin() as connection:
            when = _stamp(connection.dialect.name)
            stamps = {"created_at": when, "updated_at": when}
            user_id, exercise_id = uuid.uuid4(), uuid.uuid4()
            await connection.execute(
                app_user.insert().values(
                    id=user_id, email="z@example.com", name="Z", email_verified=False, **stamps
                )
            )
            await connection.execute(
                exercise.insert().values(
                    id=exercise_id,
                    user_id=user_id,
                    name="Plank",
                    name_key="plank",
                    body_part="core",
                    modality="BODYWEIGHT",
                    **stamps,
                )
            )
            for source, workout_id in workout_ids.items():
                await connection.execute(
                    workout.insert().values(
                        id=workout_id,
                        user_id=user_id,
                        name=str(source),
                        status="finished",
                        source=source,
                        source_key=source and f"{source}|key",
                        version=1,
                        started_at=when,
                        **stamps,
                    )
                )
                await connection.execute(
                    execution.insert().values(
                        workout_id=workout_id, exercise_id=exercise_id, position=0, **stamps
                    )
                )
                await connection.execute(
                    workout_set.insert(),
                    [
                        {
                            "id": uuid.uuid4(),
                            "workout_id": workout_id,
                            "exercise_id": exercise_id,
                            "position": position,
                            "set_type": "normal",
                            "weight_kg": weight,
                            "reps": reps,
                            "duration_seconds": seconds,
                            "distance_m": metres,
                            "completed": True,
                            **stamps,
                        }
                        for position, (weight, reps, seconds, metres) in enumerate(OLD_SETS)
                    ],
                )
    finally:
        await engine.dispose()
    return workout_ids


async def _read(settings: Settings, workout_id: uuid.UUID) -> dict[str, Any]:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.select(
                    workout_set.c.weight_kg,
                    workout_set.c.reps,
                    workout_set.c.duration_seconds,
                    workout_set.c.distance_m,
                )
                .where(workout_set.c.workout_id == workout_id)
                .order_by(workout_set.c.position)
            )
            sets = [
                tuple(None if value is None else float(value) for value in row[:4]) for row in rows
            ]
            version = await connection.scalar(
                sa.select(workout.c.version).where(workout.c.id == workout_id)
            )
            changed = await connection.scalar(
                sa.select(sa.func.count())
                .select_from(workout_set)
                .where(
                    workout_set.c.workout_id == workout_id,
                    workout_set.c.updated_at != _stamp(connection.dialect.name),
                )
            )
    finally:
        await engine.dispose()
    return {"sets": sets, "version": version, "sets_touched": changed}


def _as_floats(sets: list[tuple[Any, ...]]) -> list[tuple[float | None, ...]]:
    return [tuple(None if value is None else float(value) for value in item) for item in sets]


def test_imported_zeros_become_null_for_strong_and_fitnotes_only(database: Settings) -> None:
    migrations.upgrade(database, BEFORE)
    workout_ids = asyncio.run(_fill(database))
    migrations.upgrade(database, ZEROS)

    for source in ("strong", "fitnotes"):
        after = asyncio.run(_read(database, workout_ids[source]))
        assert after["sets"] == _as_floats(NEW_SETS), source
        assert (after["version"], after["sets_touched"]) == (2, 4), source
    for source in ("hevy", "ironlog", None):
        after = asyncio.run(_read(database, workout_ids[source]))
        assert after["sets"] == _as_floats(OLD_SETS), source
        assert (after["version"], after["sets_touched"]) == (1, 0), source

    # Down again: the data stays as the upgrade left it (the nulls are what the zeros meant),
    # and upgrading once more changes nothing further.
    migrations.downgrade(database, BEFORE)
    assert asyncio.run(_read(database, workout_ids["strong"]))["sets"] == _as_floats(NEW_SETS)
    migrations.upgrade(database)
    strong = asyncio.run(_read(database, workout_ids["strong"]))
    assert (strong["sets"], strong["version"]) == (_as_floats(NEW_SETS), 2)
    hevy = asyncio.run(_read(database, workout_ids["hevy"]))
    assert (hevy["sets"], hevy["version"]) == (_as_floats(OLD_SETS), 1)
