import uuid
from datetime import date, datetime

from pydantic import ConfigDict, Field

from ironlog.core.schemas import OutputModel


class WeekRead(OutputModel):
    week_start: date = Field(
        description="First day of the week (the user's `week_starts_on`), a local date."
    )
    workouts: int = Field(ge=0)
    sets: int = Field(ge=0, description="Working sets: completed and not warm-up.")
    volume_kg: float = Field(ge=0, description="Sum of weight x reps over the working sets.")


class TopExerciseRead(OutputModel):
    exercise_id: uuid.UUID
    name: str
    sets: int = Field(ge=0)
    volume_kg: float = Field(ge=0)


class StatsRead(OutputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "from": None,
                "to": None,
                "total_workouts": 12,
                "finished_workouts": 11,
                "total_sets": 240,
                "total_reps": 1910,
                "total_volume_kg": 152340.5,
                "total_duration_seconds": 41220,
                "first_workout_at": "2026-08-31T17:30:00Z",
                "last_workout_at": "2026-11-20T17:30:00Z",
                "current_streak_weeks": 3,
                "longest_streak_weeks": 7,
                "weekly": [
                    {"week_start": "2026-09-07", "workouts": 2, "sets": 40, "volume_kg": 20110.0}
                ],
                "top_exercises": [
                    {
                        "exercise_id": "5d1e2f9a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
                        "name": "Back Squat",
                        "sets": 45,
                        "volume_kg": 40100.0,
                    }
                ],
            }
        }
    )

    date_from: date | None = Field(
        serialization_alias="from", description="The `from` date asked for, or null."
    )
    date_to: date | None = Field(
        serialization_alias="to", description="The `to` date asked for, or null."
    )
    total_workouts: int = Field(
        ge=0, description="Workouts started in the period, in progress too."
    )
    finished_workouts: int = Field(ge=0)
    total_sets: int = Field(ge=0, description="Working sets: completed and not warm-up.")
    total_reps: int = Field(ge=0)
    total_volume_kg: float = Field(ge=0, description="Sum of weight x reps over the working sets.")
    total_duration_seconds: int = Field(
        ge=0, description="Sum of finished_at - started_at over finished workouts."
    )
    first_workout_at: datetime | None
    last_workout_at: datetime | None
    current_streak_weeks: int = Field(
        ge=0,
        description="Consecutive weeks with a workout, ending this week (or last week while "
        "this week has none yet); with `to`, the week of `to` is this week.",
    )
    longest_streak_weeks: int = Field(ge=0)
    weekly: list[WeekRead] = Field(
        description="The 12 weeks ending with the current week, oldest first, empty weeks too."
    )
    top_exercises: list[TopExerciseRead] = Field(
        description="The 5 exercises with the most working sets; ties by name."
    )


class RecordRead(OutputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "exercise_id": "5d1e2f9a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
                "name": "Bench Press",
                "heaviest_weight_kg": 100.0,
                "heaviest_weight_reps": 3,
                "heaviest_weight_at": "2026-11-02T17:30:00Z",
                "best_e1rm_kg": 113.33,
                "best_e1rm_at": "2026-10-26T17:30:00Z",
                "most_reps": 15,
                "most_reps_at": "2026-09-14T17:30:00Z",
                "best_set_volume_kg": 800.0,
                "best_set_volume_at": "2026-10-12T17:30:00Z",
                "longest_duration_seconds": None,
                "longest_duration_at": None,
                "longest_distance_m": None,
                "longest_distance_at": None,
            }
        }
    )

    exercise_id: uuid.UUID
    name: str
    heaviest_weight_kg: float | None
    heaviest_weight_reps: int | None
    heaviest_weight_at: datetime | None
    best_e1rm_kg: float | None = Field(
        description="Epley: weight x (1 + reps / 30) for 2..12 reps, the weight for 1 rep."
    )
    best_e1rm_at: datetime | None
    most_reps: int | None
    most_reps_at: datetime | None
    best_set_volume_kg: float | None = Field(description="weight x reps of one set.")
    best_set_volume_at: datetime | None
    longest_duration_seconds: int | None = Field(description="The longest set (a plank, a run).")
    longest_duration_at: datetime | None
    longest_distance_m: float | None = Field(description="The longest distance in one set.")
    longest_distance_at: datetime | None
