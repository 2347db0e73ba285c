"""Every query on workouts, executions and sets."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import ExerciseExecution, Workout, WorkoutSet


async def insert_trees(
    session: AsyncSession,
    *,
    workouts: Sequence[dict[str, Any]],
    executions: Sequence[dict[str, Any]],
    sets: Sequence[dict[str, Any]],
) -> None:
    """Insert whole workout trees as plain rows: one executemany per table, whatever the size.

    Rows are dicts of column values, `created_at` and `updated_at` included; callers build them
    (the create route, the importer), so no ORM object is made per set.
    """
    for model, rows in ((Workout, workouts), (ExerciseExecution, executions), (WorkoutSet, sets)):
        if rows:
            await session.execute(insert(model), list(rows))
