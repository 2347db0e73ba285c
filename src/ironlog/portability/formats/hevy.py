"""Hevy's CSV export.

`"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes",
"set_index","set_type","weight_kg","reps","distance_km","duration_seconds","rpe"`, with
`weight_lbs` / `distance_miles` instead when the user's units are imperial (mixed in one header is
possible). Times are local, like `21 Nov 2024, 13:24`; `set_index` restarts at 0 per exercise and
the rows are in order, so the file order is the set order. `superset_id` groups executions into
a superset (the importer drops a group that is not adjacent or has one execution).
"""

from ironlog.portability.formats import common
from ironlog.portability.formats.assemble import Line
from ironlog.portability.formats.model import ParsedFile, ParseOptions, Progress, SetRecord
from ironlog.portability.formats.reader import Columns, CsvFile, cell
from ironlog.portability.formats.values import (
    check_set,
    hevy_set_type,
    local_key,
    localize,
    parse_distance,
    parse_duration,
    parse_local_datetime,
    parse_reps,
    parse_rpe,
    parse_weight,
)

SOURCE = "hevy"
REQUIRED = ("title", "start_time", "exercise_title", "set_type")
_WEIGHTS = (("weight_kg", "kg"), ("weight_lbs", "lb"), ("weight_lb", "lb"))
_DISTANCES = (
    ("distance_km", "km"),
    ("distance_miles", "mi"),
    ("distance_mi", "mi"),
    ("distance_meters", "m"),
    ("distance_m", "m"),
)


def matches(columns: Columns) -> bool:
    return columns.has(*REQUIRED)


def parse(csv_file: CsvFile, options: ParseOptions, progress: Progress | None) -> ParsedFile:
    parsed = ParsedFile(format=SOURCE)
    columns = Columns(csv_file.header)
    weights = [(columns.find(name), unit) for name, unit in _WEIGHTS if columns.has(name)]
    distances = [(columns.find(name), unit) for name, unit in _DISTANCES if columns.has(name)]
    at = {
        name: columns.find(name)
        for name in (
            "title",
            "start_time",
            "end_time",
            "description",
            "exercise_title",
            "exercise_notes",
            "superset_id",
            "set_type",
            "reps",
            "duration_seconds",
            "rpe",
        )
    }

    def first_value(cells: list[str], options_: list[tuple[int | None, str]]) -> tuple[str, str]:
        for position, unit in options_:
            value = cell(cells, position)
            if value:
                return value, unit
        return "", "kg"

    def read_line(row: int, cells: list[str]) -> Line:
        local_start = parse_local_datetime(cell(cells, at["start_time"]), "start_time")
        started_at = localize(local_start, options.timezone)
        end_text = cell(cells, at["end_time"])
        finished_at = (
            localize(parse_local_datetime(end_text, "end_time"), options.timezone)
            if end_text
            else None
        )
        name = common.workout_name(parsed, row, cell(cells, at["title"]))
        weight, weight_unit = first_value(cells, weights)
        distance, distance_unit = first_value(cells, distances)
        record = SetRecord(
            row=row,
            set_type=hevy_set_type(cell(cells, at["set_type"])),
            weight_kg=parse_weight(weight, weight_unit),
            reps=parse_reps(cell(cells, at["reps"])),
            duration_seconds=parse_duration(cell(cells, at["duration_seconds"]), "duration"),
            distance_m=parse_distance(distance, distance_unit or "km"),
            rpe=parse_rpe(cell(cells, at["rpe"])),
        )
        check_set(record)
        return Line(
            row=row,
            source=SOURCE,
            source_key=f"{SOURCE}|{local_key(local_start)}|{name}",
            workout_name=name,
            started_at=started_at,
            finished_at=finished_at,
            workout_notes=common.fit(
                parsed, row, cell(cells, at["description"]), common.WORKOUT_NOTES_MAX, "notes"
            ),
            exercise_name=common.exercise_name(parsed, row, cell(cells, at["exercise_title"])),
            exercise_notes=common.fit(
                parsed, row, cell(cells, at["exercise_notes"]), common.NOTES_MAX, "notes"
            ),
            set=record,
            superset=common.superset_number(cell(cells, at["superset_id"])),
        )

    common.run_rows(parsed, csv_file.records, read_line, progress)
    return parsed
