"""Grouping readable rows into workouts, executions and sets: the part every CSV format shares.

A workout is a run of consecutive rows with the same key (the source key). A run whose key came
earlier in the file is the same workout exported twice: it is dropped and counted as a duplicate.
Inside a workout, a new execution starts where the exercise changes; the service later merges
executions of the same exercise.
"""

from dataclasses import dataclass
from datetime import datetime

from ironlog.models import Modality
from ironlog.portability.formats.model import (
    ExecutionRecord,
    ParsedFile,
    RowIssue,
    SetRecord,
    WorkoutRecord,
)


@dataclass(slots=True)
class Line:
    """One readable row, in neutral terms."""

    row: int
    source: str
    source_key: str
    workout_name: str
    started_at: datetime
    finished_at: datetime | None
    workout_notes: str | None
    exercise_name: str | None  # None: a workout without exercises (IronLog CSV)
    exercise_notes: str | None = None
    set: SetRecord | None = None  # None: an execution without sets
    rest_seconds: int | None = None  # Strong's "Rest Timer" row: the previous set's rest
    execution_group: object = None  # a change starts a new execution (IronLog's position)
    superset: int | None = None
    body_part: str | None = None
    modality: Modality | None = None


class Assembler:
    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.seen: set[tuple[str, str]] = set()
        self.current: WorkoutRecord | None = None
        self.current_key: tuple[str, str] | None = None
        self.skipping = False
        self.group: object = None

    def add(self, line: Line) -> None:
        key = (line.source, line.source_key)
        if key != self.current_key:
            self._enter_run(key)
        if self.skipping:
            return
        if self.current is None:
            self.current = self._start(line)
        workout = self.current
        if workout.notes is None and line.workout_notes:
            workout.notes = line.workout_notes
        if line.exercise_name is None:
            return
        if line.rest_seconds is not None:
            self._attach_rest(workout, line)
            return
        execution = self._execution(workout, line)
        if line.set is None:
            execution.notes = execution.notes or line.exercise_notes
            return
        execution.sets.append(line.set)
        if line.exercise_notes and execution.notes != line.exercise_notes:
            # Notes come on an exercise's first row; a different note on a later row is the set's.
            if execution.notes is None and len(execution.sets) == 1:
                execution.notes = line.exercise_notes
            elif line.set.notes is None:
                line.set.notes = line.exercise_notes

    def _enter_run(self, key: tuple[str, str]) -> None:
        self.current_key = key
        self.current = None
        self.skipping = key in self.seen
        if self.skipping:
            self.parsed.duplicates_in_file += 1
        else:
            self.seen.add(key)

    def _start(self, line: Line) -> WorkoutRecord:
        workout = WorkoutRecord(
            row=line.row,
            name=line.workout_name,
            started_at=line.started_at,
            finished_at=line.finished_at,
            notes=line.workout_notes,
            source=line.source,
            source_key=line.source_key,
        )
        self.parsed.workouts.append(workout)
        return workout

    def _execution(self, workout: WorkoutRecord, line: Line) -> ExecutionRecord:
        name = line.exercise_name or ""
        last = workout.executions[-1] if workout.executions else None
        if last is not None and (last.exercise_name, self.group) == (name, line.execution_group):
            return last
        self.group = line.execution_group
        execution = ExecutionRecord(
            row=line.row,
            exercise_name=name,
            body_part=line.body_part,
            modality=line.modality,
            superset=line.superset,
        )
        workout.executions.append(execution)
        return execution

    def _attach_rest(self, workout: WorkoutRecord, line: Line) -> None:
        last = workout.executions[-1] if workout.executions else None
        if last is None or not last.sets:
            self.parsed.warnings.append(
                RowIssue(line.row, "a rest timer without a set before it was ignored")
            )
            return
        last.sets[-1].rest_seconds = line.rest_seconds
