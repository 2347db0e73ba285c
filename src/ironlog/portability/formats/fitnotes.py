"""FitNotes' CSV export.

Old header `Date,Exercise,Category,Weight (lbs),Reps,Distance,Distance Unit,Time` (or
`Weight (kgs)`), new header `Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,
Distance Unit,Time` with the unit (`kgs` / `lbs`) per row and sometimes a `Comment` column.
Rows have a date but no time and no workout name: each date is one workout, started at noon local
time and named from its categories in order ("Chest & Triceps").

Some exports write an exercise name with a comma unquoted, which shifts the rest of the row. Such a
row is recovered when exactly one way of giving the extra cells back to the free-text columns
(the exercise name, the comment) leaves every typed column readable; otherwise it is reported.
"""

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

from ironlog.portability.formats import common
from ironlog.portability.formats.assemble import Line
from ironlog.portability.formats.model import (
    ParsedFile,
    ParseOptions,
    Progress,
    RowIssue,
    SetRecord,
)
from ironlog.portability.formats.reader import Columns, CsvFile, cell
from ironlog.portability.formats.values import (
    BadValue,
    check_set,
    distance_factor,
    drop_unentered_zeros,
    localize,
    parse_date,
    parse_distance,
    parse_duration,
    parse_number,
    parse_reps,
    parse_weight,
    weight_unit,
)

SOURCE = "fitnotes"
REQUIRED = ("date", "exercise", "category", "reps")
NOON = timedelta(hours=12)


def matches(columns: Columns) -> bool:
    return columns.has(*REQUIRED) and (
        columns.has("weight") or columns.has("weight (lbs)") or columns.has("weight (kgs)")
    )


def _check(kind: Callable[[str], object]) -> Callable[[str], bool]:
    def fits(text: str) -> bool:
        try:
            kind(text)
        except BadValue:
            return False
        return True

    return fits


def _optional(kind: Callable[[str], object]) -> Callable[[str], object]:
    return lambda text: None if not text.strip() else kind(text)


def _is_number(text: str) -> bool:
    try:
        return parse_number(text, "value") is not None
    except BadValue:
        return False


# What each typed column must look like, for recovering shifted rows.
_KINDS: dict[str, Callable[[str], bool]] = {
    "date": _check(parse_date),
    "category": lambda text: bool(text.strip()) and not _is_number(text),
    "weight": _check(lambda text: parse_number(text, "weight")),
    "weight (lbs)": _check(lambda text: parse_number(text, "weight")),
    "weight (kgs)": _check(lambda text: parse_number(text, "weight")),
    "weight unit": _check(_optional(weight_unit)),
    "reps": _check(parse_reps),
    "distance": _check(lambda text: parse_number(text, "distance")),
    "distance unit": _check(_optional(distance_factor)),
    "time": _check(parse_duration),
}
_FREE_TEXT = ("exercise", "comment")


def parse(csv_file: CsvFile, options: ParseOptions, progress: Progress | None) -> ParsedFile:
    parsed = ParsedFile(format=SOURCE)
    columns = Columns(csv_file.header)
    width = len(columns.names)
    fixed_unit = (
        "lb" if columns.has("weight (lbs)") else "kg" if columns.has("weight (kgs)") else None
    )
    at = {
        "date": columns.find("date"),
        "exercise": columns.find("exercise"),
        "category": columns.find("category"),
        "weight": columns.find("weight", "weight (lbs)", "weight (kgs)"),
        "weight_unit": columns.find("weight unit"),
        "reps": columns.find("reps"),
        "distance": columns.find("distance"),
        "distance_unit": columns.find("distance unit"),
        "time": columns.find("time"),
        "comment": columns.find("comment"),
    }
    categories: dict[str, list[str]] = {}
    default_distance = "mi" if options.unit == "lb" else "km"

    def read_line(row: int, cells: list[str]) -> Line:
        if len(cells) > width:
            cells = _recover(parsed, row, columns.names, cells)
        day = parse_date(cell(cells, at["date"]))
        unit = fixed_unit or (
            weight_unit(cell(cells, at["weight_unit"]))
            if cell(cells, at["weight_unit"])
            else options.unit
        )
        record = SetRecord(
            row=row,
            weight_kg=parse_weight(cell(cells, at["weight"]), unit),
            reps=parse_reps(cell(cells, at["reps"])),
            duration_seconds=parse_duration(cell(cells, at["time"]), "time"),
            distance_m=parse_distance(
                cell(cells, at["distance"]), cell(cells, at["distance_unit"]) or default_distance
            ),
            notes=common.fit(parsed, row, cell(cells, at["comment"]), common.NOTES_MAX, "comment"),
        )
        drop_unentered_zeros(record)
        check_set(record)
        key = f"{SOURCE}|{day:%Y-%m-%d}"
        category = cell(cells, at["category"])
        seen = categories.setdefault(key, [])
        if category and category not in seen:
            seen.append(category)
        return Line(
            row=row,
            source=SOURCE,
            source_key=key,
            workout_name=common.DEFAULT_WORKOUT_NAME,
            started_at=localize(
                datetime.combine(day.date(), datetime.min.time()) + NOON, options.timezone
            ),
            finished_at=None,
            workout_notes=None,
            exercise_name=common.exercise_name(parsed, row, cell(cells, at["exercise"])),
            set=record,
        )

    common.run_rows(parsed, csv_file.records, read_line, progress)
    for workout in parsed.workouts:
        names = categories.get(workout.source_key) or []
        workout.name = (" & ".join(names) or common.DEFAULT_WORKOUT_NAME)[: common.NAME_MAX]
    return parsed


def _recover(parsed: ParsedFile, row: int, names: list[str], cells: list[str]) -> list[str]:
    """Give the extra cells of a shifted row back to a free-text column, if only one way fits."""
    extra = len(cells) - len(names)
    absorbers = [position for position, name in enumerate(names) if name in _FREE_TEXT]
    fitting: list[list[str]] = []
    for shares in itertools.product(range(extra + 1), repeat=len(absorbers)):
        if sum(shares) != extra:
            continue
        candidate = _regroup(cells, names, dict(zip(absorbers, shares, strict=True)))
        if all(_fits(name, value) for name, value in zip(names, candidate, strict=True)):
            fitting.append(candidate)
    if len(fitting) != 1:
        raise BadValue(
            f"the row has {len(cells)} cells for {len(names)} columns (an unquoted comma?) "
            "and cannot be split unambiguously"
        )
    parsed.warnings.append(
        RowIssue(row, "an unquoted comma in a name shifted the row; it was read as one name")
    )
    return fitting[0]


def _fits(name: str, value: str) -> bool:
    check = _KINDS.get(name)
    return check is None or check(value)


def _regroup(cells: list[str], names: list[str], shares: dict[int, int]) -> list[str]:
    out: list[str] = []
    index = 0
    for position in range(len(names)):
        take = 1 + shares.get(position, 0)
        out.append(",".join(cells[index : index + take]))
        index += take
    return out
