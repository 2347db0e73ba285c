import uuid

from pydantic import BaseModel, ConfigDict, Field


class ExerciseMapping(BaseModel):
    source_name: str = Field(description="The exercise's name in the file.")
    exercise_id: uuid.UUID | None = Field(
        description="The IronLog exercise; null in a dry run for an exercise not created yet."
    )
    name: str = Field(description="The IronLog exercise's name.")


class ImportWarning(BaseModel):
    row: int | None = Field(
        description="1-based record number in the file (the header is row 1); for IronLog JSON "
        "the workout's 1-based place in `workouts`; null for the file as a whole."
    )
    message: str


class ImportReport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "source": "strong",
                "dry_run": False,
                "workouts_new": 412,
                "workouts_skipped_duplicate": 3,
                "sets": 9876,
                "body_measurements_new": 0,
                "body_measurements_skipped_duplicate": 0,
                "exercises_matched": [
                    {
                        "source_name": "Bench Press (Barbell)",
                        "exercise_id": "5d1e2f3a-8a4e-4c3b-9f5e-2f1d7c9b8a10",
                        "name": "Bench Press",
                    }
                ],
                "exercises_created": [
                    {
                        "source_name": "Zercher Squat (Barbell)",
                        "exercise_id": "0b9c2f3a-8a4e-4c3b-9f5e-2f1d7c9b8a11",
                        "name": "Zercher Squat (Barbell)",
                    }
                ],
                "warnings": [
                    {"row": 118, "message": "a rest timer without a set before it was ignored"}
                ],
            }
        }
    )

    source: str = Field(description="The format that was read (detected when `source=auto`).")
    dry_run: bool
    workouts_new: int = Field(description="Workouts imported (or that would be, in a dry run).")
    workouts_skipped_duplicate: int = Field(
        description="Workouts already in the account (same source and source key), or repeated "
        "in the file."
    )
    sets: int = Field(description="Sets of the new workouts.")
    body_measurements_new: int = Field(
        0, description="Body measurements imported (IronLog JSON only; 0 for other formats)."
    )
    body_measurements_skipped_duplicate: int = Field(
        0,
        description="Body measurements of a date the account already has an entry for (kept "
        "as it is), or repeated in the file.",
    )
    exercises_matched: list[ExerciseMapping]
    exercises_created: list[ExerciseMapping]
    warnings: list[ImportWarning]
