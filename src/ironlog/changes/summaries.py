"""Keeping the statistics' summaries (`models/training_summary.py`) in the writing transaction.

The write paths of workouts call `refresh` for the workouts whose tree or start they changed and
`remove` before deleting workouts; nothing else writes sets. Each call rewrites the affected rows
from their source, never by subtracting what changed, so a summary is always what a recomputation
from scratch gives (a property test checks it after random writes, on both databases):

1. The workouts' `execution_summary` rows are deleted and aggregated again from their sets (a
   few dozen rows per workout).
2. For each (user, exercise) whose execution rows changed, the `exercise_summary` row is
   aggregated again from the user's `execution_summary` rows of that exercise (one index range).

New workouts (create, routine start, import) only add execution rows, so their exercises'
`exercise_summary` rows are merged instead of rebuilt: the new rows are aggregated alone and
combined with the stored row in one upsert (sums add up; a record is the greater value, its date
the earlier start when both hold it; the reps at the heaviest weight are looked up again at the
merged weight and date, as `aggregate` does). That is exactly what the aggregation over all the
rows gives, and it costs the new rows, not the user's whole history of the exercise (rebuilding
scanned every execution row of the exercise on each create, which grew with the history).

A create computes its new workout's execution rows in Python (`new_execution_rows`) and, on
PostgreSQL, merges them in the statement that inserts the tree (`merge_on_conflict`).

Callers hold the user's change-number lock (`changes.next_seq` or `record_delete`, taken before
any summary is touched, or in the same statement for a create): one user's summaries are then
rewritten by one transaction at a time, each of whose statements sees what the previous one
committed (a create's single statement excepted: its snapshot predates the lock, which
`merge_on_conflict` allows for). Without it two writers of one
user deadlocked, or both inserted the same `exercise_summary` row (a test with two server
processes writing at once on PostgreSQL).

`aggregate` is also what statistics and records run over a period (docs/stats.md).
"""

import functools
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from ironlog.models import ExecutionSummary, ExerciseSummary, Workout, WorkoutSet

# An import refreshes its workouts in chunks of this many (bound parameters stay few).
CHUNK = 500

# The record columns, in the order of `ExerciseSummary` and of `aggregate`'s result.
METRICS = (
    ("weight_grams", "weight_at"),
    ("e1rm_hundredths", "e1rm_at"),
    ("max_reps", "reps_at"),
    ("set_volume_grams", "volume_at"),
    ("duration_seconds", "duration_at"),
    ("distance_mm", "distance_at"),
)
SUMMARY_COLUMNS = (
    "exercise_id",
    "sets",
    "reps",
    "volume_grams",
    "weight_grams",
    "weight_reps",
    "weight_at",
    "e1rm_hundredths",
    "e1rm_at",
    "max_reps",
    "reps_at",
    "set_volume_grams",
    "volume_at",
    "duration_seconds",
    "duration_at",
    "distance_mm",
    "distance_at",
)
# What an `exercise_summary` row stores: the summary, and the workout whose reps `weight_reps`
# shows, which a create needs to merge a tie on the heaviest weight at the same start
# (`merge_on_conflict`); statistics and records do not read it.
STORED_COLUMNS = (*SUMMARY_COLUMNS, "weight_workout_id")
EXECUTION_COLUMNS = (
    "workout_id",
    "exercise_id",
    "user_id",
    "started_at",
    "sets",
    "reps",
    "volume_grams",
    "weight_grams",
    "weight_reps",
    "e1rm_hundredths",
    "max_reps",
    "set_volume_grams",
    "duration_seconds",
    "distance_mm",
)


def grams(value: Any) -> ColumnElement[int]:
    """A weight as an integer number of grams (weights are stored to the gram), or a distance
    (two decimals) as millimetres: exact on PostgreSQL (NUMERIC), and on SQLite rounded back to
    the integer the REAL stands for."""
    return cast(func.round(value * 1000), BigInteger)


def is_working(sets: Any = WorkoutSet) -> ColumnElement[bool]:
    """Completed sets that are not warm-ups. The literal (not a bound parameter) lets SQLite
    match the partial index `ix_workout_set_working`, whose WHERE clause is the same."""
    return and_(sets.completed, sets.set_type != literal_column("'warmup'"))


def _execution_statement() -> Select[Any]:
    """One row per workout (of `workout_ids`) and exercise with a working set, from the sets."""
    weight, reps = grams(WorkoutSet.weight_kg), WorkoutSet.reps
    lifted = and_(weight > 0, reps > 0)
    # 30 x Epley in grams, an exact integer; rounded to hundredths of a kg as (n + 150) div 300.
    e1rm_times_30 = case(
        (and_(lifted, reps == 1), weight * 30),
        (and_(lifted, reps.between(2, 12)), weight * (reps + 30)),
    )
    grouped = (
        select(
            WorkoutSet.workout_id,
            WorkoutSet.exercise_id,
            Workout.user_id,
            Workout.started_at,
            func.count().label("sets"),
            func.coalesce(func.sum(reps), 0).label("reps"),
            func.coalesce(func.sum(weight * reps), 0).label("volume_grams"),
            func.max(case((weight > 0, weight))).label("weight_grams"),
            ((func.max(e1rm_times_30) + 150) // 300).label("e1rm_hundredths"),
            func.max(case((reps > 0, reps))).label("max_reps"),
            func.max(case((lifted, weight * reps))).label("set_volume_grams"),
            func.max(case((WorkoutSet.duration_seconds > 0, WorkoutSet.duration_seconds))).label(
                "duration_seconds"
            ),
            func.max(case((WorkoutSet.distance_m > 0, grams(WorkoutSet.distance_m)))).label(
                "distance_mm"
            ),
        )
        .join(Workout, Workout.id == WorkoutSet.workout_id)
        .where(WorkoutSet.workout_id.in_(bindparam("workout_ids", expanding=True)), is_working())
        .group_by(
            WorkoutSet.workout_id, WorkoutSet.exercise_id, Workout.user_id, Workout.started_at
        )
        .subquery("grouped")
    )
    holder = aliased(WorkoutSet, name="holder")
    weight_reps = (
        select(holder.reps)
        .where(
            holder.workout_id == grouped.c.workout_id,
            holder.exercise_id == grouped.c.exercise_id,
            is_working(holder),
            grams(holder.weight_kg) == grouped.c.weight_grams,
        )
        .order_by(holder.position)
        .limit(1)
        .scalar_subquery()
    )
    columns = {**grouped.c, "weight_reps": weight_reps}
    return select(*(columns[name].label(name) for name in EXECUTION_COLUMNS))


def aggregate(
    where: Callable[[Any], Iterable[ColumnElement[bool]]], *, stored: bool = False
) -> Select[Any]:
    """Per exercise, over the `execution_summary` rows that `where(rows)` selects: the totals,
    each record's value and the `started_at` of the first workout holding it, and the reps of
    the first set at the heaviest weight (`SUMMARY_COLUMNS`; `STORED_COLUMNS` when `stored`,
    with that workout's id).

    Each record is the best of the executions' bests; its date the earliest start among the
    executions reaching it (the estimate is compared rounded, as it is stored). Two workouts
    may start at the same instant: the heaviest weight's reps come from the one with the
    smaller id (a lookup per exercise), the dates are the same either way.
    """
    rows = aliased(ExecutionSummary, name="summary_rows")
    best = (
        select(
            rows.exercise_id,
            func.sum(rows.sets).label("sets"),
            func.sum(rows.reps).label("reps"),
            func.sum(rows.volume_grams).label("volume_grams"),
            *(func.max(getattr(rows, value)).label(value) for value, _ in METRICS),
        )
        .where(*where(rows))
        .group_by(rows.exercise_id)
        .subquery("best")
    )
    holders = aliased(ExecutionSummary, name="holders")
    record = (
        select(
            best,
            *(
                func.min(
                    case((getattr(holders, value) == best.c[value], holders.started_at))
                ).label(at)
                for value, at in METRICS
            ),
        )
        .join(holders, holders.exercise_id == best.c.exercise_id)
        .where(*where(holders))
        .group_by(*best.c)
        .subquery("record")
    )
    holder = _first_holder(record.c.exercise_id, record.c.weight_grams, record.c.weight_at)
    columns = {**record.c, "weight_reps": holder("weight_reps")}
    if not stored:
        return select(*(columns[name].label(name) for name in SUMMARY_COLUMNS))
    columns["weight_workout_id"] = holder("workout_id")
    return select(*(columns[name].label(name) for name in STORED_COLUMNS))


def _first_holder(
    exercise_id: Any, weight_grams: Any, weight_at: Any
) -> Callable[[str], ColumnElement[Any]]:
    """A column of the user's first execution row (by workout id) of the exercise that holds
    the heaviest weight at its date: the workout whose reps the record shows."""
    first = aliased(ExecutionSummary, name="first_holder")

    def column(name: str) -> ColumnElement[Any]:
        return (
            select(getattr(first, name))
            .where(
                first.user_id == bindparam("user_id"),
                first.exercise_id == exercise_id,
                first.started_at == weight_at,
                first.weight_grams == weight_grams,
            )
            .order_by(first.workout_id)
            .limit(1)
            .scalar_subquery()
        )

    return column


def _of_exercises(rows: Any) -> tuple[ColumnElement[bool], ...]:
    return (
        rows.user_id == bindparam("user_id"),
        rows.exercise_id.in_(bindparam("exercise_ids", expanding=True)),
    )


# The tables, not the mapped classes: an ORM INSERT would take the parameters as bulk rows.
_EXECUTION_TABLE: Table = ExecutionSummary.__table__  # type: ignore[assignment]
_EXERCISE_TABLE: Table = ExerciseSummary.__table__  # type: ignore[assignment]
_EXECUTIONS = _execution_statement()
_INSERT_EXECUTIONS = (
    insert(_EXECUTION_TABLE)
    .from_select(EXECUTION_COLUMNS, _EXECUTIONS)
    .returning(*(_EXECUTION_TABLE.c[name] for name in EXECUTION_COLUMNS))
)
_DELETE_EXECUTIONS = (
    delete(ExecutionSummary)
    .where(ExecutionSummary.workout_id.in_(bindparam("workout_ids", expanding=True)))
    .returning(*(getattr(ExecutionSummary, name) for name in EXECUTION_COLUMNS))
)
_DELETE_EXERCISES = delete(ExerciseSummary).where(
    ExerciseSummary.user_id == bindparam("user_id"),
    ExerciseSummary.exercise_id.in_(bindparam("exercise_ids", expanding=True)),
)
_INSERT_EXERCISES = insert(_EXERCISE_TABLE).from_select(
    ("user_id", *STORED_COLUMNS),
    select(
        bindparam("user_id", type_=ExerciseSummary.user_id.type),
        aggregate(_of_exercises, stored=True).subquery(),
    ),
)


def _of_workouts(rows: Any) -> tuple[ColumnElement[bool], ...]:
    # The workouts' ids alone (all of one user): the primary key's range, whatever the history.
    return (rows.workout_id.in_(bindparam("workout_ids", expanding=True)),)


def _added_wins(stored: Any, added: Any, value: str) -> ColumnElement[bool]:
    """The added rows hold a record greater than the stored one (or the only one)."""
    return or_(stored[value].is_(None), added[value] > stored[value])


def _added_earlier(stored: Any, added: Any, value: str, at: str) -> ColumnElement[bool]:
    """The added rows reach the stored record, and earlier."""
    return and_(added[value] == stored[value], added[at] < stored[at])


def _merged(stored: Any, added: Any, value: str) -> ColumnElement[Any]:
    """The greater of a record's stored and added values (NULL where neither has one)."""
    return case((_added_wins(stored, added, value), added[value]), else_=stored[value])


def _merged_at(stored: Any, added: Any, value: str, at: str) -> ColumnElement[Any]:
    """The date of the merged record: the added rows' when they beat the stored value, the
    earlier of both when they reach it too."""
    return case(
        (_added_wins(stored, added, value), added[at]),
        (_added_earlier(stored, added, value, at), added[at]),
        else_=stored[at],
    )


def _merged_rows() -> Select[Any]:
    """Per exercise of the new workouts (`workout_ids`, their execution rows stored already):
    the aggregate of their rows merged with the user's stored `exercise_summary` row, if any,
    in `STORED_COLUMNS` order. `WHERE true`: SQLite needs a WHERE between an INSERT's SELECT
    and its ON CONFLICT."""
    added = aggregate(_of_workouts).subquery("added")
    stored = aliased(ExerciseSummary, name="stored")
    columns: dict[str, Any] = {"exercise_id": added.c.exercise_id}
    for name in ("sets", "reps", "volume_grams"):
        columns[name] = added.c[name] + func.coalesce(getattr(stored, name), 0)
    stored_c = {name: getattr(stored, name) for name in SUMMARY_COLUMNS}
    for value, at in METRICS:
        columns[value] = _merged(stored_c, added.c, value)
        columns[at] = _merged_at(stored_c, added.c, value, at)
    holder = _first_holder(added.c.exercise_id, columns["weight_grams"], columns["weight_at"])
    columns["weight_reps"] = holder("weight_reps")
    columns["weight_workout_id"] = holder("workout_id")
    return (
        select(
            bindparam("user_id", type_=ExerciseSummary.user_id.type),
            *(columns[name].label(name) for name in STORED_COLUMNS),
        )
        .select_from(added)
        .outerjoin(
            stored,
            and_(stored.user_id == bindparam("user_id"), stored.exercise_id == added.c.exercise_id),
        )
        .where(true())
    )


@functools.cache
def _merge_exercises(dialect_name: str) -> Any:
    """Upsert one user's `exercise_summary` rows with `_merged_rows`."""
    statement = (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(
        _EXERCISE_TABLE
    ).from_select(("user_id", *STORED_COLUMNS), _merged_rows())
    return statement.on_conflict_do_update(
        index_elements=["user_id", "exercise_id"],
        set_={name: statement.excluded[name] for name in STORED_COLUMNS[1:]},
    )


# New workouts summarised in Python, from the rows about to be inserted: one statement less,
# and on PostgreSQL the summaries go in the statement that inserts the tree (`core.db.insert_led`).


def _grams(value: float) -> int:
    # Values as the database stores them (to the gram, to the centimetre): the product is within
    # a billionth of an integer, which round() gives back, as `grams` does in SQL.
    return round(value * 1000)


def _positive(sets: Sequence[Mapping[str, Any]], field: str) -> list[Any]:
    return [item[field] for item in sets if item[field] is not None and item[field] > 0]


def _execution_row(workout: Mapping[str, Any], sets: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """`_execution_statement`'s row for one execution's working `sets`, in position order."""
    weighed = [
        (_grams(item["weight_kg"]), item["reps"]) for item in sets if item["weight_kg"] is not None
    ]
    counted = [(weight, reps) for weight, reps in weighed if reps is not None]
    lifted = [(weight, reps) for weight, reps in counted if weight > 0 and reps > 0]
    heaviest = max((weight for weight, _ in weighed if weight > 0), default=None)
    # 30 x Epley in grams, an exact integer; rounded to hundredths of a kg as (n + 150) div 300.
    e1rm = [weight * (30 if reps == 1 else reps + 30) for weight, reps in lifted if reps <= 12]
    return {
        "workout_id": workout["id"],
        "exercise_id": sets[0]["exercise_id"],
        "user_id": workout["user_id"],
        "started_at": workout["started_at"],
        "sets": len(sets),
        "reps": sum(item["reps"] for item in sets if item["reps"] is not None),
        "volume_grams": sum(weight * reps for weight, reps in counted),
        "weight_grams": heaviest,
        "weight_reps": next((reps for weight, reps in weighed if weight == heaviest), None),
        "e1rm_hundredths": (max(e1rm) + 150) // 300 if e1rm else None,
        "max_reps": max(_positive(sets, "reps"), default=None),
        "set_volume_grams": max((weight * reps for weight, reps in lifted), default=None),
        "duration_seconds": max(_positive(sets, "duration_seconds"), default=None),
        "distance_mm": max(map(_grams, _positive(sets, "distance_m")), default=None),
    }


def new_execution_rows(
    workout: Mapping[str, Any], sets: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The `execution_summary` rows of a new workout, from the rows of its sets (as inserted):
    what `refresh` aggregates once they are stored, one row per exercise with a working set."""
    working: dict[uuid.UUID, list[Mapping[str, Any]]] = {}
    for item in sets:
        if item["completed"] and item["set_type"] != "warmup":
            working.setdefault(item["exercise_id"], []).append(item)
    return [
        _execution_row(workout, sorted(rows, key=lambda item: item["position"]))
        for rows in working.values()
    ]


def exercise_rows(executions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per execution row of ONE new workout, its exercise's summary over that workout alone
    (what `aggregate` gives for it): each record dated by the workout's start."""
    rows = []
    for execution in executions:
        row = {name: execution[name] for name in ("user_id", *SUMMARY_COLUMNS) if name in execution}
        for value, at in METRICS:
            row[at] = None if execution[value] is None else execution["started_at"]
        row["weight_workout_id"] = None if row["weight_grams"] is None else execution["workout_id"]
        rows.append(row)
    return rows


@functools.cache
def merge_on_conflict(dialect: Dialect) -> str:
    """PostgreSQL: the clause that merges `exercise_rows` into the stored rows as they insert
    (`core.db.Batch.upsert`).

    It merges into the stored row as it is when the insert finds it (ON CONFLICT reads the
    latest committed version and locks it, whatever the statement's snapshot), so it is exact
    although the statement took its snapshot before it waited for the user's lock: it reads
    nothing else. A tie on the heaviest weight at the same start goes to the smaller workout
    id, the stored row's `weight_workout_id` or the new one's.
    """
    statement = postgresql.insert(_EXERCISE_TABLE)
    stored = {name: _EXERCISE_TABLE.c[name] for name in STORED_COLUMNS}
    added = statement.excluded
    values: dict[str, Any] = {
        name: stored[name] + added[name] for name in ("sets", "reps", "volume_grams")
    }
    for value, at in METRICS:
        values[value] = _merged(stored, added, value)
        values[at] = _merged_at(stored, added, value, at)
    tie = and_(
        added["weight_grams"] == stored["weight_grams"], added["weight_at"] == stored["weight_at"]
    )
    added_holds = or_(
        _added_wins(stored, added, "weight_grams"),
        _added_earlier(stored, added, "weight_grams", "weight_at"),
        and_(tie, added["weight_workout_id"] < stored["weight_workout_id"]),
    )
    for name in ("weight_reps", "weight_workout_id"):
        values[name] = case((added_holds, added[name]), else_=stored[name])
    upsert = statement.on_conflict_do_update(index_elements=["user_id", "exercise_id"], set_=values)
    sql = str(upsert.compile(dialect=dialect))
    return sql[sql.index(" ON CONFLICT ") :]


async def merge_new(
    session: AsyncSession, user_id: uuid.UUID, workout_ids: list[uuid.UUID]
) -> None:
    """Merge the stored execution rows of one user's new workouts into the user's
    `exercise_summary` rows (one statement)."""
    connection = await session.connection()
    await connection.execute(
        _merge_exercises(connection.dialect.name), {"user_id": user_id, "workout_ids": workout_ids}
    )


async def refresh(
    session: AsyncSession, workout_ids: Sequence[uuid.UUID], *, new: bool = False
) -> None:
    """Rewrite the summaries of `workout_ids` (existing workouts) from their sets; `new`
    workouts have none yet: their rows are added and merged into their exercises' (one
    statement, one more per user when they hold working sets)."""
    connection = await session.connection()
    for start in range(0, len(workout_ids), CHUNK):
        params = {"workout_ids": list(workout_ids[start : start + CHUNK])}
        if new:
            added = (await connection.execute(_INSERT_EXECUTIONS, params)).all()
            await _add_to_exercises(connection, added)
            continue
        before = set((await connection.execute(_DELETE_EXECUTIONS, params)).all())
        after = set((await connection.execute(_INSERT_EXECUTIONS, params)).all())
        await _refresh_exercises(connection, before ^ after)


async def _add_to_exercises(connection: AsyncConnection, added: Iterable[Any]) -> None:
    """Merge the execution rows of new workouts into their users' `exercise_summary` rows."""
    by_user: dict[uuid.UUID, set[uuid.UUID]] = {}
    for row in added:
        by_user.setdefault(row.user_id, set()).add(row.workout_id)
    statement = _merge_exercises(connection.dialect.name)
    for user_id, workout_ids in by_user.items():
        await connection.execute(
            statement, {"user_id": user_id, "workout_ids": sorted(workout_ids)}
        )


async def remove(session: AsyncSession, workout_ids: Sequence[uuid.UUID]) -> None:
    """Before deleting `workout_ids`: drop their summaries, and rewrite their exercises'."""
    connection = await session.connection()
    for start in range(0, len(workout_ids), CHUNK):
        params = {"workout_ids": list(workout_ids[start : start + CHUNK])}
        before = (await connection.execute(_DELETE_EXECUTIONS, params)).all()
        await _refresh_exercises(connection, before)


async def _refresh_exercises(connection: AsyncConnection, changed: Iterable[Any]) -> None:
    """Rewrite the `exercise_summary` rows of the (user, exercise) pairs of `changed` rows."""
    by_user: dict[uuid.UUID, set[uuid.UUID]] = {}
    for row in changed:
        by_user.setdefault(row.user_id, set()).add(row.exercise_id)
    for user_id, exercise_ids in by_user.items():
        params = {"user_id": user_id, "exercise_ids": sorted(exercise_ids)}
        await connection.execute(_DELETE_EXERCISES, params)
        await connection.execute(_INSERT_EXERCISES, params)
