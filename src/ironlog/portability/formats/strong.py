"""Strong's CSV export, every generation of its header.

`Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,
Workout Notes,RPE` (older exports lack Duration and RPE, newer ones the notes columns) and
the all-quoted `;` variant with units in the header: `"Workout #";"Date";"Workout Name";
"Duration (sec)";"Exercise Name";"Set Order";"Weight (kg)";"Reps";"RPE";"Distance (meters)";
"Seconds";"Notes";"Workout Notes"`.
`Date` is the local start time; without a unit in the header, weights are in `unit` (and distances
in km for kg, miles for lb: Strong follows the user's metric or imperial setting).
"""

import re
from datetime import timedelta

from ironlog.portability.formats import common
from ironlog.portability.formats.assemble import Line
from ironlog.portability.formats.model import ParsedFile, ParseOptions, Progress, SetRecord
from ironlog.portability.formats.reader import Columns, CsvFile, cell
from ironlog.portability.formats.values import (
    check_rest,
    check_set,
    drop_unentered_zeros,
    local_key,
    localize,
    parse_distance,
    parse_duration,
    parse_local_datetime,
    parse_reps,
    parse_rpe,
    parse_weight,
    strong_set_type,
)

SOURCE = "strong"
REQUIRED = ("date", "workout name", "exercise name", "set order")
_UNIT_IN_HEADER = re.compile(r"^(weight|distance) \((\w+)\)$")
_WEIGHT_UNITS = {"kg": "kg", "kgs": "kg", "lb": "lb", "lbs": "lb"}
_DISTANCE_UNITS = {"meters": "m", "metres": "m", "m": "m", "km": "km", "miles": "mi", "mi": "mi"}


def matches(columns: Columns) -> bool:
    return columns.has(*REQUIRED)


def parse(csv_file: CsvFile, options: ParseOptions, progress: Progress | None) -> ParsedFile:
    parsed = ParsedFile(format=SOURCE)
    columns = Columns(csv_file.header)
    weight_at, weight_unit = _unit_column(columns, "weight", _WEIGHT_UNITS, options.unit)
    default_distance = "mi" if options.unit == "lb" else "km"
    distance_at, distance_unit = _unit_column(
        columns, "distance", _DISTANCE_UNITS, default_distance
    )
    at = {
        "date": columns.find("date"),
        "name": columns.find("workout name"),
        "duration": columns.find("duration", "duration (sec)", "workout duration"),
        "exercise": columns.find("exercise name"),
        "order": columns.find("set order"),
        "reps": columns.find("reps"),
        "seconds": columns.find("seconds"),
        "notes": columns.find("notes"),
        "workout_notes": columns.find("workout notes"),
        "rpe": columns.find("rpe"),
    }

    def read_line(row: int, cells: list[str]) -> Line | None:
        local = parse_local_datetime(cell(cells, at["date"]), "Date")
        started_at = localize(local, options.timezone)
        duration = parse_duration(cell(cells, at["duration"]), "Duration")
        name = common.workout_name(parsed, row, cell(cells, at["name"]))
        line = Line(
            row=row,
            source=SOURCE,
            source_key=f"{SOURCE}|{local_key(local)}|{name}",
            workout_name=name,
            started_at=started_at,
            finished_at=None if duration is None else started_at + timedelta(seconds=duration),
            workout_notes=common.fit(
                parsed, row, cell(cells, at["workout_notes"]), common.WORKOUT_NOTES_MAX, "notes"
            ),
            exercise_name=common.exercise_name(parsed, row, cell(cells, at["exercise"])),
            exercise_notes=common.fit(
                parsed, row, cell(cells, at["notes"]), common.NOTES_MAX, "notes"
            ),
        )
        order = cell(cells, at["order"])
        if order.lower().replace("_", " ") == "rest timer":
            rest = parse_duration(cell(cells, at["seconds"]), "rest")
            if rest is None:
                return None
            check_rest(rest)
            line.rest_seconds = rest
            return line
        line.set = _read_set(row, cells, order)
        return line

    def _read_set(row: int, cells: list[str], order: str) -> SetRecord:
        record = SetRecord(
            row=row,
            set_type=strong_set_type(order),
            weight_kg=parse_weight(cell(cells, weight_at), weight_unit),
            reps=parse_reps(cell(cells, at["reps"])),
            duration_seconds=parse_duration(cell(cells, at["seconds"]), "seconds"),
            distance_m=parse_distance(cell(cells, distance_at), distance_unit),
            rpe=parse_rpe(cell(cells, at["rpe"])),
        )
        drop_unentered_zeros(record)
        check_set(record)
        return record

    common.run_rows(parsed, csv_file.records, read_line, progress)
    return parsed


def _unit_column(
    columns: Columns, kind: str, units: dict[str, str], default: str
) -> tuple[int | None, str]:
    """The column of a weight or distance and its unit, from a header like "Weight (kg)"."""
    for position, name in enumerate(columns.names):
        if name == kind:
            return position, default
        match = _UNIT_IN_HEADER.match(name)
        if match and match.group(1) == kind and match.group(2) in units:
            return position, units[match.group(2)]
    return None, default
