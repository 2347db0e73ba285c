"""The floor the workout benchmark compares IronLog with: Starlette + asyncpg + orjson serving
the same bodies as IronLog with ONE query per request and NO authentication.

Nothing else a real server must do: no token, no session check, no validation, no middleware,
no logging, no metrics. The user is named in the query string (`?user=<id>`). What is left is
the cost no implementation on this stack can skip: routing, one round trip, folding the rows,
serialising the JSON. Run by `bench.workouts`.
"""

import os
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from asyncpg.pgproto import pgproto
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DSN = os.environ["IRONLOG_DATABASE_URL"].replace("+asyncpg", "")

TREE_COLUMNS = """
w.id, w.name, w.notes, w.status, w.started_at, w.finished_at, w.created_at, w.updated_at,
w.version, w.routine_id, e.exercise_id, e.position, e.notes, x.name, x.body_part, x.modality,
e.superset, s.id, s.position, s.set_type, s.weight_kg::float8, s.reps, s.duration_seconds,
s.distance_m::float8, s.rpe::float8, s.rest_seconds, s.completed, s.notes
"""
TREE_FROM = """
FROM workout w
LEFT JOIN exercise_execution e ON e.workout_id = w.id
LEFT JOIN exercise x ON x.id = e.exercise_id
LEFT JOIN workout_set s ON s.workout_id = e.workout_id AND s.exercise_id = e.exercise_id
"""
ONE_SQL = f"SELECT {TREE_COLUMNS} {TREE_FROM} WHERE w.id = $1 ORDER BY e.position, s.position"
# The page and its total in one statement: the total rides on every row.
PAGE_SQL = f"""
SELECT {TREE_COLUMNS}, (SELECT count(*) FROM workout WHERE user_id = $1) {TREE_FROM}
WHERE w.id IN (
    SELECT id FROM workout WHERE user_id = $1 ORDER BY started_at DESC, id LIMIT $2 OFFSET $3)
ORDER BY w.started_at DESC, w.id, e.position, s.position
"""
# The workout, its executions and its sets in one statement; it answers with the exercises.
CREATE_SQL = """
WITH seq AS (
    UPDATE app_user SET change_seq = change_seq + 1 WHERE id = $2 RETURNING change_seq
), w AS (
    INSERT INTO workout (id, user_id, name, status, started_at, version, change_seq, created_at,
                         updated_at)
    SELECT $1, $2, $3, 'in_progress', $4, 1, seq.change_seq, $4, $4 FROM seq
), e AS (
    INSERT INTO exercise_execution (workout_id, exercise_id, position, created_at, updated_at)
    SELECT $1, x.exercise_id, x.position, $4, $4
    FROM unnest($5::uuid[], $6::int[]) AS x(exercise_id, position)
), s AS (
    INSERT INTO workout_set (id, workout_id, exercise_id, position, set_type, weight_kg, reps,
                             rpe, completed, created_at, updated_at)
    SELECT x.id, $1, x.exercise_id, x.position, 'normal', x.weight_kg, x.reps, x.rpe, true, $4, $4
    FROM unnest($7::uuid[], $8::uuid[], $9::int[], $10::float8[], $11::int[],
                $12::float8[]) AS x(id, exercise_id, position, weight_kg, reps, rpe)
)
SELECT x.id, x.name, x.body_part, x.modality FROM exercise x WHERE x.id = ANY($5::uuid[])
"""

pool: asyncpg.Pool | None = None


def _default(value: Any) -> Any:
    if isinstance(value, pgproto.UUID):
        return str(value)
    raise TypeError


def _json(value: Any, status: int = 200) -> Response:
    body = orjson.dumps(value, default=_default, option=orjson.OPT_UTC_Z)
    return Response(body, status, media_type="application/json")


def _set(set_id: Any, values: Sequence[Any]) -> dict[str, Any]:
    return {
        "id": set_id,
        "position": values[0],
        "set_type": values[1],
        "weight_kg": values[2],
        "reps": values[3],
        "duration_seconds": values[4],
        "distance_m": values[5],
        "rpe": values[6],
        "rest_seconds": values[7],
        "completed": values[8],
        "notes": values[9],
    }


def fold(rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    workouts: list[dict[str, Any]] = []
    workout: dict[str, Any] | None = None
    execution: dict[str, Any] | None = None
    for r in rows:
        if workout is None or workout["id"] != r[0]:
            duration = int((r[5] - r[4]).total_seconds()) if r[5] else None
            workout = {
                "id": r[0],
                "name": r[1],
                "notes": r[2],
                "status": r[3],
                "started_at": r[4],
                "finished_at": r[5],
                "duration_seconds": duration,
                "routine_id": r[9],
                "created_at": r[6],
                "updated_at": r[7],
                "exercises": [],
            }
            workouts.append(workout)
            execution = None
        if r[10] is None:
            continue
        if execution is None or execution["exercise_id"] != r[10]:
            execution = {
                "exercise_id": r[10],
                "position": r[11],
                "notes": r[12],
                "superset": r[16],
                "exercise": {"id": r[10], "name": r[13], "body_part": r[14], "modality": r[15]},
                "sets": [],
            }
            workout["exercises"].append(execution)
        if r[17] is not None:
            execution["sets"].append(_set(r[17], r[18:28]))
    return workouts


async def get_one(request: Request) -> Response:
    assert pool is not None
    rows = await pool.fetch(ONE_SQL, uuid.UUID(request.path_params["workout_id"]))
    return _json(fold(rows)[0]) if rows else _json({}, 404)


async def list_page(request: Request) -> Response:
    assert pool is not None
    user_id = uuid.UUID(request.query_params["user"])
    rows = await pool.fetch(PAGE_SQL, user_id, 20, 0)
    total = rows[0][-1] if rows else 0
    page = {"items": fold(rows), "total": total, "page": 1, "size": 20, "pages": -(-total // 20)}
    return _json(page)


async def create(request: Request) -> Response:
    assert pool is not None
    user_id = uuid.UUID(request.query_params["user"])
    data = orjson.loads(await request.body())
    now = datetime.now(UTC)
    workout_id = uuid.uuid4()
    exercise_ids, positions = [], []
    set_columns: list[list[Any]] = [[], [], [], [], [], []]
    sets_by_exercise: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for position, item in enumerate(data.get("exercises", [])):
        exercise_id = uuid.UUID(item["exercise_id"])
        exercise_ids.append(exercise_id)
        positions.append(position)
        views = sets_by_exercise[exercise_id] = []
        for index, s in enumerate(item.get("sets", [])):
            set_id = uuid.uuid4()
            row = (set_id, exercise_id, index, s.get("weight_kg"), s.get("reps"), s.get("rpe"))
            for column, value in zip(set_columns, row, strict=True):
                column.append(value)
            values = (index, "normal", row[3], row[4], None, None, row[5], None, True, None)
            views.append(_set(set_id, values))
    exercises = {
        row[0]: row
        for row in await pool.fetch(
            CREATE_SQL,
            workout_id,
            user_id,
            data["name"],
            now,
            exercise_ids,
            positions,
            *set_columns,
        )
    }
    body = {
        "id": workout_id,
        "name": data["name"],
        "notes": None,
        "status": "in_progress",
        "started_at": now,
        "finished_at": None,
        "duration_seconds": None,
        "routine_id": None,
        "created_at": now,
        "updated_at": now,
        "exercises": [
            {
                "exercise_id": exercise_id,
                "position": position,
                "notes": None,
                "superset": None,
                "exercise": {
                    "id": exercise_id,
                    "name": exercises[exercise_id][1],
                    "body_part": exercises[exercise_id][2],
                    "modality": exercises[exercise_id][3],
                },
                "sets": sets_by_exercise[exercise_id],
            }
            for exercise_id, position in zip(exercise_ids, positions, strict=True)
        ],
    }
    return _json(body, 201)


async def health(_request: Request) -> Response:
    return _json({"status": "ok"})


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    global pool  # noqa: PLW0603 - the one pool of this throwaway app
    pool = await asyncpg.create_pool(DSN, min_size=5, max_size=10)
    yield
    await pool.close()


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/api/v1/workouts", list_page, methods=["GET"]),
        Route("/api/v1/workouts", create, methods=["POST"]),
        Route("/api/v1/workouts/{workout_id}", get_one, methods=["GET"]),
    ],
    lifespan=lifespan,
)
