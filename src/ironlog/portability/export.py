"""The full export, streamed: batches of workouts by keyset, so memory stays flat.

The stream reads in a session of its own (the request's unit of work has closed by the time the
body is sent), inside one read-only snapshot that takes no write lock (`snapshot_sessionmaker`):
a client that reads slowly never blocks anyone's writes.
"""

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ironlog.core.clock import utc_now
from ironlog.measurements import repository as measurement_repository
from ironlog.measurements.schemas import MeasurementRead
from ironlog.models import User
from ironlog.portability import repository
from ironlog.portability.choices import ExportFormat
from ironlog.portability.formats.ironlog_csv import HEADER, escape_text
from ironlog.routines import repository as routine_repository
from ironlog.routines import views as views_of_routines
from ironlog.users import schemas as user_schemas
from ironlog.users import service as user_service
from ironlog.workouts import views

BATCH_WORKOUTS = 250


def _default(value: Any) -> Any:
    # asyncpg returns its own UUID class, which orjson does not take for a uuid.UUID.
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default, option=orjson.OPT_UTC_Z)


MEDIA_TYPES = {ExportFormat.JSON: "application/json", ExportFormat.CSV: "text/csv; charset=utf-8"}


def filename(export_format: ExportFormat) -> str:
    return f"ironlog-export-{utc_now():%Y-%m-%d}.{export_format.value}"


def user_summary(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "created_at": user.created_at}


async def stream(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    user: dict[str, Any],
    export_format: ExportFormat,
) -> AsyncGenerator[bytes]:
    """The export's bytes, a batch of workouts at a time."""
    user_id: uuid.UUID = user["id"]
    async with sessionmaker() as session, session.begin():
        if export_format is ExportFormat.JSON:
            async for chunk in _json(session, user, user_id):
                yield chunk
        else:
            async for chunk in _csv(session, user_id):
                yield chunk


async def workout_trees(
    session: AsyncSession, user_id: uuid.UUID
) -> AsyncIterator[list[dict[str, Any]]]:
    """The user's workouts as the API's Workout JSON (plus provenance), oldest first, in batches."""
    async for workouts in repository.workout_batches(session, user_id, BATCH_WORKOUTS):
        ids = [workout.id for workout in workouts]
        executions = await repository.executions_of(session, ids)
        sets_by_execution: dict[tuple[uuid.UUID, uuid.UUID], list[dict[str, Any]]] = defaultdict(
            list
        )
        for row in await repository.sets_of(session, ids):
            sets_by_execution[(row.workout_id, row.exercise_id)].append(
                views.set_json(row._mapping)
            )
        trees_by_workout: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        for row in executions:
            values = row._mapping
            trees_by_workout[row.workout_id].append(
                views.execution_json(
                    values,
                    {**values, "id": row.exercise_id},
                    sets_by_execution.get((row.workout_id, row.exercise_id), []),
                )
            )
        yield [_workout(workout, trees_by_workout.get(workout.id, [])) for workout in workouts]


def _workout(row: Any, exercises: list[dict[str, Any]]) -> dict[str, Any]:
    """The API's Workout with its provenance (`source`, `source_key`)."""
    return views.workout_json(row._mapping, exercises, source=row.source, source_key=row.source_key)


def _exercise(exercise: Any) -> dict[str, Any]:
    return {
        "id": exercise.id,
        "name": exercise.name,
        "body_part": exercise.body_part,
        "modality": exercise.modality,
        "description": exercise.description,
        "is_system": False,
        "user_id": exercise.user_id,
        "created_at": exercise.created_at,
        "updated_at": exercise.updated_at,
    }


async def _json(
    session: AsyncSession, user: dict[str, Any], user_id: uuid.UUID
) -> AsyncIterator[bytes]:
    exercises = [
        _exercise(exercise) for exercise in await repository.own_exercises(session, user_id)
    ]
    measurements = [
        MeasurementRead.model_validate(entry).model_dump(mode="json")
        for entry in await measurement_repository.all_of(session, user_id)
    ]
    preferences = user_schemas.PreferencesRead.model_validate(
        await user_service.get_preferences(session, user_id=user_id)
    ).model_dump(mode="json")
    head = dumps(
        {
            "format": "ironlog",
            "version": 1,
            "exported_at": utc_now(),
            "user": user,
            "preferences": preferences,
        }
    )
    folders = [
        views_of_routines.folder_json(row)
        for row in await routine_repository.all_folders(session, user_id)
    ]
    routine_rows = await routine_repository.all_trees(session, user_id)
    routines = [body for body, _version in views_of_routines.routines_from_rows(routine_rows)]
    yield (
        head[:-1]
        + b',"exercises":'
        + dumps(exercises)
        + b',"body_measurements":'
        + dumps(measurements)
        + b',"routine_folders":'
        + dumps(folders)
        + b',"routines":'
        + dumps(routines)
        + b',"workouts":['
    )
    first = True
    async for batch in workout_trees(session, user_id):
        parts = [dumps(workout) for workout in batch]
        yield (b"" if first else b",") + b",".join(parts)
        first = False
    yield b"]}"


async def _csv(session: AsyncSession, user_id: uuid.UUID) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    async for batch in workout_trees(session, user_id):
        for workout in batch:
            writer.writerows(_csv_rows(workout))
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()


def _csv_rows(workout: dict[str, Any]) -> list[list[str]]:
    head = [
        str(workout["id"]),
        escape_text(workout["name"]),
        _instant(workout["started_at"]),
        _instant(workout["finished_at"]),
        escape_text(workout["notes"] or ""),
    ]
    if not workout["exercises"]:
        return [head + [""] * (len(HEADER) - len(head))]
    rows: list[list[str]] = []
    for execution in workout["exercises"]:
        exercise = execution["exercise"]
        middle = [
            escape_text(exercise["name"]),
            escape_text(exercise["body_part"]),
            str(exercise["modality"]),
            str(execution["position"]),
            escape_text(execution["notes"] or ""),
        ]
        sets: Sequence[dict[str, Any]] = execution["sets"]
        if not sets:
            rows.append(head + middle + [""] * (len(HEADER) - len(head) - len(middle)))
        rows.extend(head + middle + _csv_set(item) for item in sets)
    return rows


def _csv_set(item: dict[str, Any]) -> list[str]:
    return [
        str(item["position"]),
        str(item["set_type"]),
        _value(item["weight_kg"]),
        _value(item["reps"]),
        _value(item["duration_seconds"]),
        _value(item["distance_m"]),
        _value(item["rpe"]),
        _value(item["rest_seconds"]),
        "true" if item["completed"] else "false",
        escape_text(item["notes"] or ""),
    ]


def _value(value: float | None) -> str:
    return "" if value is None else str(value)


def _instant(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
