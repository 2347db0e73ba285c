"""Imports: parse (in a thread), drop duplicates, match exercises, write in bulk.

The import runs in the caller's transaction (the request's unit of work, or the command's
session) and never commits: a failure leaves nothing behind.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.changes import record as changes
from ironlog.core.clock import utc_now
from ironlog.core.text import search_key
from ironlog.exercises import repository as exercise_repository
from ironlog.exercises.names import name_key
from ironlog.measurements import repository as measurement_repository
from ironlog.measurements import service as measurement_service
from ironlog.models import Modality, User, WorkoutStatus
from ironlog.models.base import new_id
from ironlog.portability import repository
from ironlog.portability.errors import ImportConflict, ImportInvalid, ImportUnrecognized
from ironlog.portability.formats import parse_file
from ironlog.portability.formats.model import (
    BinaryFile,
    BodyMeasurementRecord,
    ExecutionRecord,
    ExerciseRecord,
    ParsedFile,
    ParseOptions,
    Progress,
    RoutineRecord,
    RowIssue,
    UnrecognizedFile,
    WorkoutRecord,
)
from ironlog.portability.formats.reader import UnreadableCsv
from ironlog.portability.matching import Known, Matcher
from ironlog.portability.schemas import ExerciseMapping, ImportReport, ImportWarning
from ironlog.routines import repository as routine_repository
from ironlog.routines import service as routine_service
from ironlog.routines.schemas import FolderCreate, RoutineCreate
from ironlog.users import service as user_service
from ironlog.workouts import repository as workout_repository
from ironlog.workouts import supersets

# Rows are written in batches of about this many sets, so memory stays flat for big files.
WRITE_BATCH_SETS = 5000
DEFAULT_BODY_PART = "other"
NOTES_MAX = 500


@dataclass(frozen=True, slots=True)
class ImportOptions:
    source: str = "auto"
    unit: str = "kg"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    dry_run: bool = False
    skip_invalid_rows: bool = False


Written = Callable[[int, int], None]


async def import_file(
    session: AsyncSession,
    *,
    user: User,
    file: BinaryFile,
    options: ImportOptions,
    parsed_rows: Progress | None = None,
    written: Written | None = None,
) -> ImportReport:
    """Import one file for `user`; raises ImportUnrecognized or ImportInvalid."""
    parse_options = ParseOptions(unit=options.unit, timezone=options.timezone)
    try:
        parsed = await anyio.to_thread.run_sync(
            partial(
                parse_file,
                file,
                source=options.source,
                options=parse_options,
                progress=parsed_rows,
            )
        )
    except UnrecognizedFile as error:
        raise ImportUnrecognized(f"The file cannot be imported: {error}.") from None
    except UnreadableCsv as error:
        # The csv module cannot go on past this row: the file is refused even with
        # `skip_invalid_rows`.
        raise ImportInvalid([RowIssue(error.row, f"unreadable CSV: {error.reason}")]) from None
    if parsed.errors and not options.skip_invalid_rows:
        raise ImportInvalid(parsed.errors)
    warnings = [RowIssue(issue.row, f"row skipped: {issue.message}") for issue in parsed.errors]
    warnings.extend(parsed.warnings)
    new = await _without_duplicates(session, user.id, parsed)
    resolver = await _Resolver.load(session, user.id, parsed)
    for workout in new:
        for execution in workout.executions:
            execution.exercise_id = resolver.resolve(
                execution.exercise_name, execution.body_part, execution.modality
            )
        _merge_repeated_exercises(workout, warnings)
    for exercise in parsed.exercises:
        resolver.resolve(exercise.name, exercise.body_part, exercise.modality, listed=True)
    routine_exercise_ids = [
        [
            resolver.resolve(item.exercise_name, item.body_part, item.modality)
            for item in routine.exercises
        ]
        for routine in parsed.routines
    ]
    sets = sum(len(execution.sets) for workout in new for execution in workout.executions)
    measurements = await _new_body_measurements(session, user.id, parsed)
    if options.dry_run:
        resolver.hide_new_ids()
    else:
        try:
            # One change number for the whole import (docs/sync.md); none when nothing is new.
            seq = await changes.next_seq(session, user.id) if new or resolver.rows else 0
            await exercise_repository.add_many(session, resolver.new_rows(user.id, seq))
            routine_ids = await _import_routines(
                session, user.id, parsed, routine_exercise_ids, warnings
            )
            for workout in new:
                workout.original_routine_id = routine_ids.get(workout.original_routine_id)
            await _write(session, user.id, seq, new, sets, written)
            for entry in measurements:
                await measurement_service.put(
                    session, user_id=user.id, measurement_date=entry.measurement_date,
                    data=entry.data,
                )  # fmt: skip
            if parsed.preferences is not None:
                await user_service.update_preferences(
                    session, user_id=user.id, data=parsed.preferences
                )
        except IntegrityError as error:
            raise ImportConflict() from error
    return ImportReport(
        source=parsed.format,
        dry_run=options.dry_run,
        workouts_new=len(new),
        workouts_skipped_duplicate=parsed.duplicates_in_file + len(parsed.workouts) - len(new),
        sets=sets,
        body_measurements_new=len(measurements),
        body_measurements_skipped_duplicate=parsed.body_measurements_repeated
        + len(parsed.body_measurements)
        - len(measurements),
        exercises_matched=resolver.matched,
        exercises_created=resolver.created,
        warnings=[ImportWarning(row=issue.row, message=issue.message) for issue in warnings],
    )


async def _without_duplicates(
    session: AsyncSession, user_id: uuid.UUID, parsed: ParsedFile
) -> list[WorkoutRecord]:
    """The workouts whose source key (or, for IronLog's files, whose id) the user does not have."""
    existing = await repository.existing_source_keys(
        session, user_id, {(workout.source, workout.source_key) for workout in parsed.workouts}
    )
    original_ids = [w.original_id for w in parsed.workouts if w.original_id is not None]
    own_ids = await repository.existing_workout_ids(session, user_id, original_ids)
    return [
        workout
        for workout in parsed.workouts
        if (workout.source, workout.source_key) not in existing
        and workout.original_id not in own_ids
    ]


async def _new_body_measurements(
    session: AsyncSession, user_id: uuid.UUID, parsed: ParsedFile
) -> list[BodyMeasurementRecord]:
    """The file's body measurements of dates the user has no entry for: an import adds, it
    never overwrites what the account holds."""
    existing = await measurement_repository.existing_dates(
        session, user_id, [entry.measurement_date for entry in parsed.body_measurements]
    )
    return [entry for entry in parsed.body_measurements if entry.measurement_date not in existing]


class _Resolver:
    """Names to exercise ids: matched to visible exercises, or new custom exercises."""

    def __init__(self, matcher: Matcher, exact_only: bool, listed: Sequence[ExerciseRecord]):
        self.matcher = matcher
        self.exact_only = exact_only
        self.ids: dict[str, uuid.UUID] = {}
        self.matched: list[ExerciseMapping] = []
        self.created: list[ExerciseMapping] = []
        self.rows: list[dict[str, Any]] = []
        self.descriptions = {name_key(item.name): item.description for item in listed}

    @classmethod
    async def load(
        cls, session: AsyncSession, user_id: uuid.UUID, parsed: ParsedFile
    ) -> "_Resolver":
        rows = await repository.visible_exercises(session, user_id)
        known = (
            Known(row.id, row.name, Modality(row.modality), row.user_id is None, row.search_key)
            for row in rows
        )
        return cls(Matcher(known), parsed.exact_names, parsed.exercises)

    def resolve(
        self, name: str, body_part: str | None, modality: Modality | None, *, listed: bool = False
    ) -> uuid.UUID:
        key = name_key(name)
        if key in self.ids:
            return self.ids[key]
        found = self.matcher.match(name, exact_only=self.exact_only)
        if found is not None:
            self.ids[key] = found.id
            if not listed:
                self.matched.append(
                    ExerciseMapping(source_name=name, exercise_id=found.id, name=found.name)
                )
            return found.id
        exercise_id = new_id()
        self.ids[key] = exercise_id
        now = utc_now()
        modality = modality or self.matcher.guess_modality(name)
        self.rows.append(
            {
                "id": exercise_id,
                "user_id": None,  # set in new_rows
                "name": name,
                "name_key": key,
                "search_key": search_key([name]),
                "body_part": body_part or DEFAULT_BODY_PART,
                "modality": modality,
                "description": self.descriptions.get(key),
                "created_at": now,
                "updated_at": now,
            }
        )
        self.matcher.add(Known(exercise_id, name, modality, is_system=False))  # key: its name
        self.created.append(ExerciseMapping(source_name=name, exercise_id=exercise_id, name=name))
        return exercise_id

    def new_rows(self, user_id: uuid.UUID, seq: int) -> list[dict[str, Any]]:
        return [{**row, "user_id": user_id, "change_seq": seq} for row in self.rows]

    def hide_new_ids(self) -> None:
        """In a dry run nothing is created, so new exercises have no id yet."""
        self.created = [
            mapping.model_copy(update={"exercise_id": None}) for mapping in self.created
        ]


async def _import_routines(
    session: AsyncSession,
    user_id: uuid.UUID,
    parsed: ParsedFile,
    exercise_ids: list[list[uuid.UUID]],
    warnings: list[RowIssue],
) -> dict[uuid.UUID | None, uuid.UUID]:
    """Add the file's folders and routines (new ids, after the user's own) through the routine
    service; returns the new id of each routine by its id in the file. A folder or routine
    whose name the user already has is that one, not a copy; one the routine schema refuses is
    left out with a warning."""
    folders = {
        row["name"].lower(): row["id"]
        for row in await routine_repository.all_folders(session, user_id)
    }
    for number, name in enumerate(parsed.folders, 1):
        if name.strip().lower() in folders:
            continue
        try:
            data = FolderCreate.model_validate({"name": name})
        except ValidationError as error:
            message = error.errors()[0]["msg"]
            warnings.append(RowIssue(None, f"routine_folders[{number}] ignored: {message}"))
            continue
        folder = await routine_service.create_folder(session, user_id=user_id, data=data)
        folders[folder["name"].lower()] = folder["id"]
    existing = await routine_repository.routine_names(session, user_id)
    routine_ids: dict[uuid.UUID | None, uuid.UUID] = {}
    for number, (routine, ids) in enumerate(zip(parsed.routines, exercise_ids, strict=True), 1):
        if routine.name.strip().lower() in existing:
            routine_ids[routine.original_id] = existing[routine.name.strip().lower()]
            continue
        try:
            routine_data = RoutineCreate.model_validate(_routine_body(routine, ids, folders))
        except ValidationError as error:
            warnings.append(
                RowIssue(None, f"routines[{number}] ignored: {error.errors()[0]['msg']}")
            )
            continue
        view = await routine_service.create(session, user_id=user_id, data=routine_data)
        routine_ids[routine.original_id] = existing[routine_data.name.lower()] = view.body["id"]
    return routine_ids


def _routine_body(
    routine: RoutineRecord, exercise_ids: list[uuid.UUID], folders: dict[str, uuid.UUID]
) -> dict[str, Any]:
    """The routine as the API takes it: an exercise listed twice once, broken supersets
    dropped."""
    exercises: dict[uuid.UUID, dict[str, Any]] = {}
    for record, exercise_id in zip(routine.exercises, exercise_ids, strict=True):
        exercises.setdefault(exercise_id, {**record.values, "exercise_id": exercise_id})
    kept = list(exercises.values())
    numbers = supersets.tidy([body.get("superset") for body in kept])
    for body, number in zip(kept, numbers, strict=True):
        body["superset"] = number
    folder_id = folders.get(routine.folder.strip().lower()) if routine.folder else None
    return {"name": routine.name, "notes": routine.notes, "folder_id": folder_id, "exercises": kept}


def _merge_repeated_exercises(workout: WorkoutRecord, warnings: list[RowIssue]) -> None:
    """An exercise appears once per workout: a repeat's sets join the first execution, in order."""
    merged: dict[uuid.UUID | None, ExecutionRecord] = {}
    for execution in workout.executions:
        first = merged.get(execution.exercise_id)
        if first is None:
            merged[execution.exercise_id] = execution
            continue
        warnings.append(
            RowIssue(
                execution.row,
                f"{execution.exercise_name!r} appears again in workout {workout.name!r}; "
                "its sets were added to the first execution of that exercise",
            )
        )
        first.sets.extend(execution.sets)
        first.notes = _merge_notes(first.notes, execution.notes)
    workout.executions = list(merged.values())
    numbers = supersets.tidy([execution.superset for execution in workout.executions])
    for execution, number in zip(workout.executions, numbers, strict=True):
        execution.superset = number


def _merge_notes(first: str | None, second: str | None) -> str | None:
    if not second or second == first:
        return first
    if not first:
        return second
    return f"{first}\n{second}"[:NOTES_MAX]


async def _write(
    session: AsyncSession,
    user_id: uuid.UUID,
    seq: int,
    workouts: list[WorkoutRecord],
    total_sets: int,
    written: Written | None,
) -> None:
    """Insert the workouts in batches of about WRITE_BATCH_SETS sets.

    After the first batch of a bigger import, PostgreSQL's statistics are refreshed: on tables
    it last saw (nearly) empty, it checks each set's foreign keys by scanning every execution
    written so far, and a 20 MiB import took minutes instead of seconds (quadratic)."""
    rows = _Rows(seq)
    done = batches = 0
    for workout in workouts:
        rows.add(user_id, workout)
        if len(rows.sets) >= WRITE_BATCH_SETS or workout is workouts[-1]:
            done += len(rows.sets)
            await workout_repository.insert_trees(
                session, workouts=rows.workouts, executions=rows.executions, sets=rows.sets
            )
            rows = _Rows(seq)
            if batches == 0 and workout is not workouts[-1]:
                await repository.refresh_planner_statistics(session)
            batches += 1
            if written is not None:
                written(done, total_sets)


class _Rows:
    """Plain rows for `insert_trees`; no ORM object per set."""

    def __init__(self, seq: int) -> None:
        self.seq = seq
        self.workouts: list[dict[str, Any]] = []
        self.executions: list[dict[str, Any]] = []
        self.sets: list[dict[str, Any]] = []
        self.now = utc_now()

    def add(self, user_id: uuid.UUID, workout: WorkoutRecord) -> None:
        workout_id = new_id()
        finished = workout.finished_at is not None
        stamps = {"created_at": self.now, "updated_at": self.now}
        self.workouts.append(
            {
                "id": workout_id,
                "user_id": user_id,
                "name": workout.name,
                "notes": workout.notes,
                "status": WorkoutStatus.FINISHED if finished else WorkoutStatus.IN_PROGRESS,
                "started_at": workout.started_at,
                "finished_at": workout.finished_at,
                "source": workout.source,
                "source_key": workout.source_key,
                "routine_id": workout.original_routine_id,
                "version": 1,
                "change_seq": self.seq,
                **stamps,
            }
        )
        for position, execution in enumerate(workout.executions):
            self.executions.append(
                {
                    "workout_id": workout_id,
                    "exercise_id": execution.exercise_id,
                    "position": position,
                    "notes": execution.notes,
                    "superset": execution.superset,
                    **stamps,
                }
            )
            self.sets.extend(
                {
                    "id": new_id(),
                    "workout_id": workout_id,
                    "exercise_id": execution.exercise_id,
                    "position": set_position,
                    "set_type": record.set_type,
                    "weight_kg": record.weight_kg,
                    "reps": record.reps,
                    "duration_seconds": record.duration_seconds,
                    "distance_m": record.distance_m,
                    "rpe": record.rpe,
                    "rest_seconds": record.rest_seconds,
                    "completed": record.completed,
                    "notes": record.notes,
                    **stamps,
                }
                for set_position, record in enumerate(execution.sets)
            )
