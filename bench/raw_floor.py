"""The floor the workout benchmark compares IronLog with: the same three endpoints written
directly on asyncpg, as a bare ASGI app with no framework, ORM or validation.

It does the same work per request that cannot be skipped: verify the JWT, check the session in
the database, run the same SQL, build the same JSON. Run by `bench.workouts`.
"""

import os
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import jwt
import orjson

DSN = os.environ["IRONLOG_DATABASE_URL"]
SECRET = os.environ["IRONLOG_SECRET_KEY"]

SESSION_SQL = """
SELECT u.id FROM app_user u JOIN auth_session s ON s.user_id = u.id
WHERE s.id = $1 AND u.id = $2 AND s.revoked_at IS NULL
"""
TREE_SQL = """
SELECT w.id, w.name, w.notes, w.status, w.started_at, w.finished_at, w.created_at,
       w.updated_at, w.version, e.exercise_id, e.position, e.notes, x.name, x.body_part,
       x.modality, s.id, s.position, s.set_type, s.weight_kg::float8, s.reps, s.duration_seconds,
       s.distance_m::float8, s.rpe::float8, s.rest_seconds, s.completed, s.notes
FROM workout w
LEFT JOIN exercise_execution e ON e.workout_id = w.id
LEFT JOIN exercise x ON x.id = e.exercise_id
LEFT JOIN workout_set s ON s.workout_id = e.workout_id AND s.exercise_id = e.exercise_id
"""
ONE_SQL = TREE_SQL + " WHERE w.id = $1 AND w.user_id = $2 ORDER BY e.position, s.position"
PAGE_SQL = (
    TREE_SQL
    + """ WHERE w.id IN (
    SELECT id FROM workout WHERE user_id = $1 ORDER BY started_at DESC, id LIMIT $2 OFFSET $3)
ORDER BY w.started_at DESC, w.id, e.position, s.position"""
)
COUNT_SQL = "SELECT count(*) FROM workout WHERE user_id = $1"

pool: asyncpg.Pool | None = None


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default, option=orjson.OPT_UTC_Z)


def fold(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
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
                "created_at": r[6],
                "updated_at": r[7],
                "exercises": [],
            }
            workouts.append(workout)
            execution = None
        if r[9] is None:
            continue
        if execution is None or execution["exercise_id"] != r[9]:
            execution = {
                "exercise_id": r[9],
                "position": r[10],
                "notes": r[11],
                "exercise": {"id": r[9], "name": r[12], "body_part": r[13], "modality": r[14]},
                "sets": [],
            }
            workout["exercises"].append(execution)
        if r[15] is not None:
            execution["sets"].append(
                {
                    "id": r[15],
                    "position": r[16],
                    "set_type": r[17],
                    "weight_kg": r[18],
                    "reps": r[19],
                    "duration_seconds": r[20],
                    "distance_m": r[21],
                    "rpe": r[22],
                    "rest_seconds": r[23],
                    "completed": r[24],
                    "notes": r[25],
                }
            )
    return workouts


async def authenticate(
    connection: asyncpg.Connection, headers: list[tuple[bytes, bytes]]
) -> uuid.UUID | None:
    token = next((v[7:] for k, v in headers if k == b"authorization"), None)
    if token is None:
        return None
    try:
        claims = jwt.decode(
            token,
            SECRET,
            algorithms=["HS256"],
            audience="ironlog-api",
            issuer="ironlog",
            options={"require": ["sub", "sid", "exp"]},
        )
    except jwt.PyJWTError:
        return None
    user_id = uuid.UUID(claims["sub"])
    found = await connection.fetchval(SESSION_SQL, uuid.UUID(claims["sid"]), user_id)
    return user_id if found else None


async def create(connection: asyncpg.Connection, user_id: uuid.UUID, body: bytes) -> dict[str, Any]:
    data = orjson.loads(body)
    now = datetime.now(UTC)
    workout_id = uuid.uuid4()
    executions, sets, views = [], [], []
    for position, item in enumerate(data.get("exercises", [])):
        exercise_id = uuid.UUID(item["exercise_id"])
        executions.append((workout_id, exercise_id, position, item.get("notes"), now, now))
        view = {"exercise_id": exercise_id, "position": position, "sets": []}
        for index, s in enumerate(item.get("sets", [])):
            row = (
                uuid.uuid4(),
                workout_id,
                exercise_id,
                index,
                s.get("set_type", "normal"),
                s.get("weight_kg"),
                s.get("reps"),
                s.get("rpe"),
                True,
                now,
                now,
            )
            sets.append(row)
            view["sets"].append(
                {"id": row[0], "position": index, "weight_kg": row[5], "reps": row[6]}
            )
        views.append(view)
    async with connection.transaction():
        await connection.execute(
            "INSERT INTO workout (id, user_id, name, status, started_at, version, created_at,"
            " updated_at) VALUES ($1, $2, $3, 'in_progress', $4, 1, $4, $4)",
            workout_id,
            user_id,
            data["name"],
            now,
        )
        await connection.executemany(
            "INSERT INTO exercise_execution (workout_id, exercise_id, position, notes,"
            " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            executions,
        )
        await connection.executemany(
            "INSERT INTO workout_set (id, workout_id, exercise_id, position, set_type,"
            " weight_kg, reps, rpe, completed, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            sets,
        )
    return {
        "id": workout_id,
        "name": data["name"],
        "status": "in_progress",
        "started_at": now,
        "created_at": now,
        "updated_at": now,
        "exercises": views,
    }


async def read_body(receive: Any) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global pool  # noqa: PLW0603 - the one pool of this throwaway app
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                pool = await asyncpg.create_pool(
                    DSN.replace("+asyncpg", ""), min_size=5, max_size=10
                )
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    assert pool is not None
    path, method = scope["path"], scope["method"]
    status, payload = 200, b'{"status":"ok"}'
    if path.startswith("/api/v1/workouts"):
        async with pool.acquire() as connection:
            user_id = await authenticate(connection, scope["headers"])
            if user_id is None:
                status, payload = 401, b"{}"
            elif method == "POST":
                status, payload = (
                    201,
                    _dumps(await create(connection, user_id, await read_body(receive))),
                )
            elif path == "/api/v1/workouts":
                total = await connection.fetchval(COUNT_SQL, user_id)
                items = fold(await connection.fetch(PAGE_SQL, user_id, 20, 0))
                payload = _dumps(
                    {
                        "items": items,
                        "total": total,
                        "page": 1,
                        "size": 20,
                        "pages": -(-total // 20),
                    }
                )
            else:
                rows = await connection.fetch(ONE_SQL, uuid.UUID(path.rsplit("/", 1)[1]), user_id)
                status, payload = (200, _dumps(fold(rows)[0])) if rows else (404, b"{}")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": payload})
