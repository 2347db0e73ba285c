"""Helpers the format parsers share."""

from collections.abc import Callable, Iterator
from datetime import timedelta

from ironlog.portability.formats.assemble import Assembler, Line
from ironlog.portability.formats.model import ParsedFile, Progress, RowIssue
from ironlog.portability.formats.values import BadValue

NAME_MAX = 100
WORKOUT_NOTES_MAX = 2000
NOTES_MAX = 500
DEFAULT_WORKOUT_NAME = "Workout"
LONG_WORKOUT = timedelta(hours=24)
PROGRESS_EVERY = 1000


def fit(parsed: ParsedFile, row: int, text: str | None, limit: int, what: str) -> str | None:
    """Trimmed text, cut to the API's limit with a warning; empty is null."""
    value = (text or "").strip()
    if not value:
        return None
    if len(value) > limit:
        parsed.warnings.append(RowIssue(row, f"{what} cut to {limit} characters"))
        value = value[:limit].rstrip()
    return value


def workout_name(parsed: ParsedFile, row: int, text: str | None) -> str:
    return fit(parsed, row, text, NAME_MAX, "workout name") or DEFAULT_WORKOUT_NAME


def exercise_name(parsed: ParsedFile, row: int, text: str | None) -> str:
    name = fit(parsed, row, " ".join((text or "").split()), NAME_MAX, "exercise name")
    if name is None:
        raise BadValue("the exercise name is empty")
    return name


def run_rows(
    parsed: ParsedFile,
    records: Iterator[tuple[int, list[str]]],
    read_line: Callable[[int, list[str]], Line | None],
    progress: Progress | None,
) -> None:
    """Feed every record through `read_line`; unreadable rows are collected as errors."""
    assembler = Assembler(parsed)
    count = 0
    for row, cells in records:
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
        try:
            line = read_line(row, cells)
        except BadValue as error:
            parsed.errors.append(RowIssue(row, str(error)))
            continue
        if line is not None:
            assembler.add(line)
    if progress is not None:
        progress(count)
    check_workouts(parsed)


def check_workouts(parsed: ParsedFile) -> None:
    """Ends before starts are set to the start; absurdly long workouts (left running) warn."""
    for workout in parsed.workouts:
        if workout.finished_at is None:
            continue
        if workout.finished_at < workout.started_at:
            parsed.warnings.append(
                RowIssue(
                    workout.row, "the workout ends before it starts; its end was set to its start"
                )
            )
            workout.finished_at = workout.started_at
        length = workout.finished_at - workout.started_at
        if length > LONG_WORKOUT:
            hours, rest = divmod(int(length.total_seconds()), 3600)
            parsed.warnings.append(
                RowIssue(
                    workout.row,
                    f"workout {workout.name!r} lasted {hours}h {rest // 60}m "
                    "(kept as recorded; it was probably left running)",
                )
            )


MAX_SUPERSET = 99


def superset_number(text: str) -> int | None:
    """A superset number as files write it ("0", "2", "1.0"); empty or anything else is none
    (a superset is a grouping, never a reason to refuse a row)."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    if not number.is_integer() or not 0 <= number <= MAX_SUPERSET:
        return None
    return int(number)
