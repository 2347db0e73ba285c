"""The system exercise library: a data file in the package, loaded idempotently at start-up.

Loading adds the library's exercises that are missing (matched by name key) and brings the
search key of the ones present up to date with their aliases (a release may add aliases); it
never changes anything a client sees of an existing exercise, never removes one, and never
touches the exercises users made.
"""

import json
import uuid
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.clock import utc_now
from ironlog.core.text import search_key
from ironlog.exercises import repository
from ironlog.exercises.names import name_key
from ironlog.models import Exercise, Modality
from ironlog.models.base import new_id


def read_library() -> list[dict[str, Any]]:
    text = resources.files("ironlog.data").joinpath("exercises.json").read_text("utf-8")
    entries: list[dict[str, Any]] = json.loads(text)
    return entries


def entry_search_key(entry: dict[str, Any]) -> str:
    """A library entry's search key: its name, then its aliases."""
    return search_key([entry["name"], *entry.get("aliases", [])])


@cache
def aliases_by_name_key() -> dict[str, tuple[str, ...]]:
    """Each library exercise's aliases, by its name key (read once per process)."""
    return {name_key(entry["name"]): tuple(entry.get("aliases", [])) for entry in read_library()}


async def load(session: AsyncSession) -> int:
    """Insert the missing system exercises and refresh the others' search keys; returns how
    many were added."""
    existing: dict[str, tuple[uuid.UUID, str]] = {
        row.name_key: (row.id, row.search_key)
        for row in await session.execute(
            select(Exercise.name_key, Exercise.id, Exercise.search_key).where(
                repository.system_only()
            )
        )
    }
    now = utc_now()
    rows: list[dict[str, Any]] = []
    stale: list[dict[str, Any]] = []
    for entry in read_library():
        key = name_key(entry["name"])
        wanted = entry_search_key(entry)
        if key in existing:
            exercise_id, current = existing[key]
            if current != wanted:
                stale.append({"row_id": exercise_id, "wanted": wanted})
            continue
        rows.append(
            {
                "id": new_id(),
                "user_id": None,
                "name": entry["name"],
                "name_key": key,
                "search_key": wanted,
                "body_part": entry["body_part"],
                "modality": Modality(entry["modality"]),
                "description": entry["description"],
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        await session.execute(insert(Exercise), rows)
    if stale:
        # Not a change clients see (the key is internal): updated_at keeps its value.
        table = Exercise.__table__
        statement = (
            update(table)  # type: ignore[arg-type]
            .where(table.c.id == bindparam("row_id"))
            .values(search_key=bindparam("wanted"), updated_at=table.c.updated_at)
        )
        await session.execute(statement, stale)
    return len(rows)
