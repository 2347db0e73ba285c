"""IronLog's own CSV export: one row per set (an execution without sets and a workout without
exercises get one row with the missing columns empty). Read back for a full round trip."""

import uuid

from ironlog.models import Modality
from ironlog.portability.formats import common
from ironlog.portability.formats.assemble import Line
from ironlog.portability.formats.model import ParsedFile, ParseOptions, Progress, SetRecord
from ironlog.portability.formats.reader import Columns, CsvFile, cell
from ironlog.portability.formats.values import (
    BadValue,
    check_set,
    parse_duration,
    parse_instant,
    parse_number,
    parse_reps,
    parse_weight,
    set_type,
)

FORMAT = "ironlog_csv"
SOURCE = "ironlog"
HEADER = (
    "workout_id",
    "workout_name",
    "started_at",
    "finished_at",
    "workout_notes",
    "exercise_name",
    "body_part",
    "modality",
    "exercise_position",
    "execution_notes",
    "set_position",
    "set_type",
    "weight_kg",
    "reps",
    "duration_seconds",
    "distance_m",
    "rpe",
    "rest_seconds",
    "completed",
    "set_notes",
)
# Read when present, never written: the export keeps the fixed header above, a flat row per set
# (supersets and routines travel in the JSON export). A routine id names a routine of the
# exporting account: an import does not link it.
OPTIONAL_COLUMNS = ("superset", "routine_id")
BODY_PART_MAX = 50
# Free-text columns: a spreadsheet would run a cell starting with one of these as a formula
# (CSV injection), so the export prefixes such cells with a single quote (OWASP). A cell that
# really starts with a quote gets one more, so reading back removes exactly one quote from every
# text cell that starts with one, and every value survives the round trip.
TEXT_COLUMNS = frozenset(
    {"workout_name", "workout_notes", "exercise_name", "body_part", "execution_notes", "set_notes"}
)
_ESCAPED_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def escape_text(value: str) -> str:
    """A text cell as the export writes it."""
    return "'" + value if value.startswith(_ESCAPED_STARTS) else value


def unescape_text(value: str) -> str:
    """What `escape_text` was given."""
    return value[1:] if value.startswith("'") else value


_TRUE = {"", "true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n"}


def matches(columns: Columns) -> bool:
    return columns.has(*HEADER)


def parse_completed(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadValue(f"completed {text!r} is not true or false")


def parse_modality(text: str) -> Modality | None:
    value = text.strip().upper()
    if not value:
        return None
    try:
        return Modality(value)
    except ValueError:
        raise BadValue(f"modality {text!r} is not one of {', '.join(Modality)}") from None


def parse_position(text: str, what: str) -> int:
    number = parse_number(text, what)
    if number is None or not number.is_integer() or number < 0:
        raise BadValue(f"{what} {text!r} is not a position (0, 1, 2, ...)")
    return int(number)


def parse(csv_file: CsvFile, options: ParseOptions, progress: Progress | None) -> ParsedFile:
    parsed = ParsedFile(format=FORMAT, exact_names=True)
    columns = Columns(csv_file.header)
    at = {name: columns.find(name) for name in (*HEADER, *OPTIONAL_COLUMNS)}

    def get(cells: list[str], name: str) -> str:
        value = cell(cells, at[name])
        return unescape_text(value) if name in TEXT_COLUMNS else value

    def read_line(row: int, cells: list[str]) -> Line:
        try:
            workout_id = uuid.UUID(get(cells, "workout_id"))
        except ValueError:
            raise BadValue(f"workout_id {get(cells, 'workout_id')!r} is not a UUID") from None
        finished = get(cells, "finished_at")
        line = Line(
            row=row,
            source=SOURCE,
            source_key=str(workout_id),
            workout_name=common.workout_name(parsed, row, get(cells, "workout_name")),
            started_at=parse_instant(get(cells, "started_at"), options.timezone, "started_at"),
            finished_at=parse_instant(finished, options.timezone, "finished_at")
            if finished
            else None,
            workout_notes=common.fit(
                parsed, row, get(cells, "workout_notes"), common.WORKOUT_NOTES_MAX, "notes"
            ),
            exercise_name=None,
        )
        if not get(cells, "exercise_name"):
            return line
        line.exercise_name = common.exercise_name(parsed, row, get(cells, "exercise_name"))
        line.exercise_notes = common.fit(
            parsed, row, get(cells, "execution_notes"), common.NOTES_MAX, "notes"
        )
        line.body_part = (get(cells, "body_part").lower()[:BODY_PART_MAX]) or None
        line.modality = parse_modality(get(cells, "modality"))
        line.execution_group = parse_position(get(cells, "exercise_position"), "exercise_position")
        line.superset = common.superset_number(get(cells, "superset"))
        if get(cells, "set_position"):
            parse_position(get(cells, "set_position"), "set_position")
            line.set = _read_set(row, cells)
        return line

    def _read_set(row: int, cells: list[str]) -> SetRecord:
        rest = parse_number(get(cells, "rest_seconds"), "rest_seconds")
        record = SetRecord(
            row=row,
            set_type=set_type(get(cells, "set_type")),
            weight_kg=parse_weight(get(cells, "weight_kg"), "kg"),
            reps=parse_reps(get(cells, "reps")),
            duration_seconds=parse_duration(get(cells, "duration_seconds"), "duration_seconds"),
            distance_m=parse_number(get(cells, "distance_m"), "distance_m"),
            rpe=parse_number(get(cells, "rpe"), "rpe"),
            rest_seconds=None if rest is None else round(rest),
            completed=parse_completed(get(cells, "completed")),
            notes=common.fit(parsed, row, get(cells, "set_notes"), common.NOTES_MAX, "notes"),
        )
        if record.distance_m is not None:
            record.distance_m = round(record.distance_m, 2)
        check_set(record)
        return record

    common.run_rows(parsed, csv_file.records, read_line, progress)
    for workout in parsed.workouts:
        workout.original_id = uuid.UUID(workout.source_key)
    return parsed
