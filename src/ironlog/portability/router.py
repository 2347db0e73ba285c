from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import File, Form, Query, Request, UploadFile, status
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator
from starlette.responses import Response

from ironlog.auth.dependencies import CurrentUser
from ironlog.core.errors import NotAuthenticated, Unprocessable, problem_responses
from ironlog.core.routing import SessionDep, SettingsDep, api_router, end_reads, read_only
from ironlog.core.streaming import BoundedStreamingResponse, StreamsBusy, StreamSlots
from ironlog.measurements.schemas import READ_EXAMPLE as MEASUREMENT_READ_EXAMPLE
from ironlog.portability import export, service
from ironlog.portability.choices import ExportFormat, ImportSource, WeightUnit
from ironlog.portability.errors import ImportConflict, ImportInvalid, ImportUnrecognized
from ironlog.portability.formats.ironlog_csv import HEADER
from ironlog.portability.schemas import ImportReport
from ironlog.workouts.schemas import EXECUTION_READ_EXAMPLE

router = api_router(tags=["portability"], responses=problem_responses(NotAuthenticated))

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _known_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Berlin)") from None
    return name


TimezoneName = Annotated[str, AfterValidator(_known_timezone)]

_EXPORT_EXAMPLE_JSON = {
    "format": "ironlog",
    "version": 1,
    "exported_at": "2026-11-26T10:00:00Z",
    "user": {"id": "3f0b…", "email": "ada@example.com", "name": "Ada", "created_at": "…"},
    "exercises": [
        {
            "id": "7a1c…",
            "name": "Zercher Squat",
            "body_part": "quads",
            "modality": "BARBELL",
            "description": None,
            "is_system": False,
            "user_id": "3f0b…",
            "created_at": "…",
            "updated_at": "…",
        }
    ],
    "body_measurements": [MEASUREMENT_READ_EXAMPLE],
    "workouts": [
        {
            "id": "0b9c…",
            "name": "Push day",
            "notes": None,
            "status": "finished",
            "started_at": "2026-11-20T17:30:00Z",
            "finished_at": "2026-11-20T18:35:00Z",
            "duration_seconds": 3900,
            "source": "strong",
            "source_key": "strong|2026-11-20T18:30:00|Push day",
            "created_at": "…",
            "updated_at": "…",
            "exercises": [EXECUTION_READ_EXAMPLE],
        }
    ],
}
_EXPORT_EXAMPLE_CSV = (
    ",".join(HEADER) + "\n"
    "0b9c…,Push day,2026-11-20T17:30:00Z,2026-11-20T18:35:00Z,,Bench Press,chest,BARBELL,0,,"
    "0,normal,80.0,5,,,8.0,120,true,\n"
)
_IMPORT_EXAMPLE = {
    "file": "(the contents of strong.csv)",
    "source": "auto",
    "unit": "lb",
    "timezone": "Europe/Berlin",
    "dry_run": True,
    "skip_invalid_rows": False,
}


@router.get(
    "/export",
    summary="Export the whole account",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The export, streamed as an attachment.",
            "content": {
                "application/json": {
                    "schema": {"type": "object", "additionalProperties": True},
                    "example": _EXPORT_EXAMPLE_JSON,
                },
                "text/csv": {"schema": {"type": "string"}, "example": _EXPORT_EXAMPLE_CSV},
            },
        },
        **problem_responses(StreamsBusy),
    },
)
@read_only
async def export_account(
    *,
    request: Request,
    settings: SettingsDep,
    user: CurrentUser,
    export_format: Annotated[
        ExportFormat,
        Query(alias="format", description="`json`: the whole account; `csv`: one row per set."),
    ] = ExportFormat.JSON,
) -> StreamingResponse:
    """Everything the caller owns, streamed (any history size, flat memory).

    * `json`: `{format: "ironlog", version: 1, exported_at, user, exercises,
      body_measurements, workouts}`: the caller's own exercises, body measurements (as
      `GET /body-measurements/{date}` shows them, oldest first) and every workout as a full tree
      (the Workout of `GET /workouts/{id}`, plus its provenance `source` and `source_key`),
      oldest first.
    * `csv`: one row per set with the header `workout_id, workout_name, started_at, finished_at,
      workout_notes, exercise_name, body_part, modality, exercise_position, execution_notes,
      set_position, set_type, weight_kg, reps, duration_seconds, distance_m, rpe, rest_seconds,
      completed, set_notes`; an execution without sets (and a workout without exercises) gets one
      row with the missing columns empty.

    The body is read in one read-only snapshot and must be taken within the server's export
    deadline (`IRONLOG_EXPORT_DEADLINE_SECONDS`, 10 min by default), else the connection is cut;
    each server process streams a few exports at once (429 `streams_busy` beyond).

    Both import back with `POST /imports` (`ironlog_json`, `ironlog_csv`) into any account.
    """
    slots: StreamSlots = request.app.state.stream_slots
    slots.take()
    body = export.stream(
        request.app.state.snapshot_sessionmaker,
        user=export.user_summary(user),
        export_format=export_format,
    )
    disposition = f'attachment; filename="{export.filename(export_format)}"'
    return BoundedStreamingResponse(
        body,
        deadline=settings.export_deadline_seconds,
        slots=slots,
        media_type=export.MEDIA_TYPES[export_format],
        headers={"Content-Disposition": disposition},
    )


@router.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportReport,
    summary="Import a Strong, Hevy, FitNotes or IronLog export",
    openapi_extra={
        "requestBody": {"content": {"multipart/form-data": {"example": _IMPORT_EXAMPLE}}}
    },
    responses={
        200: {"model": ImportReport, "description": "Dry run: what the import would do."},
        201: {"description": "Imported."},
        **problem_responses(ImportUnrecognized, ImportInvalid, Unprocessable, ImportConflict),
        413: {"description": "`payload_too_large`: the upload is over 20 MiB."},
    },
)
async def import_file(
    *,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    file: Annotated[UploadFile, File(description="The export file (CSV or JSON), up to 20 MiB.")],
    source: Annotated[
        ImportSource,
        Form(description="The file's app; `auto` detects it from the header or the JSON."),
    ] = ImportSource.AUTO,
    unit: Annotated[
        WeightUnit,
        Form(
            description="Weight unit of files that do not say theirs (Strong without a unit in "
            "the header, FitNotes rows without a unit); distances are then km for kg, miles for lb."
        ),
    ] = WeightUnit.KG,
    timezone: Annotated[
        TimezoneName,
        Form(description="IANA time zone of the file's local times (Strong, Hevy, FitNotes)."),
    ] = "UTC",
    dry_run: Annotated[
        bool, Form(description="Read and check everything, report, and change nothing.")
    ] = False,
    skip_invalid_rows: Annotated[
        bool,
        Form(description="Import the readable rows and list the others as `warnings`."),
    ] = False,
) -> ImportReport:
    """Read another tracker's export (or IronLog's own) into the caller's account, in one
    transaction: a file with an unreadable row imports nothing (422 `import_invalid`, the first
    100 rows in `errors: [{row, message}]`) unless `skip_invalid_rows` is true.

    * Formats: Strong CSV (every header generation, `,` or `;`), Hevy CSV, FitNotes CSV, IronLog
      CSV and JSON. An unknown shape is 422 `import_unrecognized`.
    * Duplicates: each workout keeps its source and a source key (app, local start time, name);
      one that is already in the account, or repeated in the file, is skipped and counted.
    * Exercises are matched to the caller's exercises and the system library case-insensitively,
      understanding "Name (Equipment)"; a name that matches nothing becomes a custom exercise
      (body part `other`). Both lists are in the report.
    * Values: pounds to kilograms (2 decimals), distances to metres, durations to seconds.
      Values outside the API's ranges make a row unreadable.

    `dry_run=true` answers 200 with the same report and changes nothing.
    """
    options = service.ImportOptions(
        source=source.value,
        unit=unit.value,
        timezone=ZoneInfo(timezone),
        dry_run=dry_run,
        skip_invalid_rows=skip_invalid_rows,
    )
    # Parsing a big file takes seconds: hold no transaction (no SQLite write lock) meanwhile.
    await end_reads(session)
    report = await service.import_file(session, user=user, file=file.file, options=options)
    if dry_run:
        response.status_code = status.HTTP_200_OK
    return report
