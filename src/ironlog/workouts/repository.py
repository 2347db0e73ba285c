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
    (the create route, the importer), so no ORM object is made per set. Every row must carry
    every column: `render_nulls` keeps None values in the statement, so the rows go as one batch
    (without it the ORM splits the batch wherever the pattern of None values changes, which made
    a 25,000-set import several times slower).
    """
    for model, rows in ((Workout, workouts), (ExerciseExecution, executions), (WorkoutSet, sets)):
        if rows:
            statement = insert(model).execution_options(render_nulls=True)
            await session.execute(statement, list(rows))
