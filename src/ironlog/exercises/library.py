"""The system exercise library: a data file in the package, loaded idempotently at start-up.

Loading adds only the library's exercises that are missing (matched by name key); it never
changes or removes an exercise, and never touches the exercises users made.
"""

import json
from importlib import resources
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.clock import utc_now
from ironlog.exercises.names import name_key
from ironlog.models import Exercise, Modality
from ironlog.models.base import new_id


def read_library() -> list[dict[str, Any]]:
    text = resources.files("ironlog.data").joinpath("exercises.json").read_text("utf-8")
    entries: list[dict[str, Any]] = json.loads(text)
    return entries


async def load(session: AsyncSession) -> int:
    """Insert the missing system exercises; returns how many were added."""
    existing = set(
        await session.scalars(select(Exercise.name_key).where(Exercise.user_id.is_(None)))
    )
    now = utc_now()
    rows = [
        {
            "id": new_id(),
            "user_id": None,
            "name": entry["name"],
            "name_key": name_key(entry["name"]),
            "body_part": entry["body_part"],
            "modality": Modality(entry["modality"]),
            "description": entry["description"],
            "created_at": now,
            "updated_at": now,
        }
        for entry in read_library()
        if name_key(entry["name"]) not in existing
    ]
    if rows:
        await session.execute(insert(Exercise), rows)
    return len(rows)
