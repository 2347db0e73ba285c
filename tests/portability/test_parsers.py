"""Unit tests of the value readers, the header detection and the exercise matcher."""

import io
import json
import uuid
from datetime import UTC, datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from ironlog.exercises.library import entry_search_key, read_library
from ironlog.models import Modality, SetType
from ironlog.portability.formats import parse_file
from ironlog.portability.formats.model import ParsedFile, ParseOptions, UnrecognizedFile
from ironlog.portability.formats.values import (
    BadValue,
    hevy_set_type,
    localize,
    parse_distance,
    parse_duration,
    parse_local_datetime,
    parse_reps,
    parse_rpe,
    parse_weight,
    strong_set_type,
)
from ironlog.portability.matching import Known, Matcher, loose_key, split_suffix


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h 5m", 3900),
        ("31m", 1860),
        ("55s", 55),
        ("48h 40m", 175_200),
        ("1h", 3600),
        ("1h 2m 3s", 3723),
        ("0:09:21", 561),
        ("09:21", 561),
        ("1:00:00", 3600),
        ("75", 75),
        ("75.6", 76),
        ("", None),
        ("  ", None),
    ],
)
def test_durations(text: str, seconds: int | None) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "1x", "-5", "5 parsecs", "1:2:3:4"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(BadValue):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "unit", "kilograms"),
    [
        ("100", "kg", 100.0),
        ("65.181223569", "kg", 65.181),
        ("59.8999996185303", "kg", 59.9),
        ("135", "lb", 61.235),
        ("225", "lb", 102.058),
        ("45", "lb", 20.412),
        ("0.0005", "kg", 0.001),
        ("62,5", "kg", 62.5),
        ("0", "kg", 0.0),
        ("", "kg", None),
    ],
)
def test_weights(text: str, unit: str, kilograms: float | None) -> None:
    assert parse_weight(text, unit) == kilograms


@pytest.mark.parametrize(
    ("text", "unit", "metres"),
    [("5.02", "km", 5020.0), ("1.5", "mi", 2414.02), ("2000", "m", 2000.0), ("", "km", None)],
)
def test_distances(text: str, unit: str, metres: float | None) -> None:
    assert parse_distance(text, unit) == metres


def test_unknown_distance_unit() -> None:
    with pytest.raises(BadValue, match="distance unit 'furlongs'"):
        parse_distance("3", "furlongs")


@pytest.mark.parametrize(("text", "reps"), [("8", 8), ("8.0", 8), ("0", 0), ("", None)])
def test_reps(text: str, reps: int | None) -> None:
    assert parse_reps(text) == reps


@pytest.mark.parametrize("text", ["8.5", "eight"])
def test_bad_reps(text: str) -> None:
    with pytest.raises(BadValue):
        parse_reps(text)


@pytest.mark.parametrize(("text", "rpe"), [("8", 8.0), ("9.5", 9.5), ("0", None), ("", None)])
def test_rpe(text: str, rpe: float | None) -> None:
    assert parse_rpe(text) == rpe


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2021-07-07 18:35:21", datetime(2021, 7, 7, 18, 35, 21)),
        ("2021-07-07 18:35", datetime(2021, 7, 7, 18, 35)),
        ("21 Nov 2024, 13:24", datetime(2024, 11, 21, 13, 24)),
        ("3 Dec 2024, 18:00", datetime(2024, 12, 3, 18, 0)),
        ("21 November 2024, 13:24", datetime(2024, 11, 21, 13, 24)),
        ("2021-07-07T18:35:21", datetime(2021, 7, 7, 18, 35, 21)),
    ],
)
def test_local_dates(text: str, moment: datetime) -> None:
    assert parse_local_datetime(text) == moment


def test_local_times_are_read_in_the_timezone() -> None:
    summer = localize(datetime(2024, 7, 1, 18, 0), ZoneInfo("Europe/Berlin"))
    winter = localize(datetime(2024, 1, 1, 18, 0), ZoneInfo("Europe/Berlin"))
    assert summer == datetime(2024, 7, 1, 16, 0, tzinfo=UTC)
    assert winter == datetime(2024, 1, 1, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "set_type"),
    [
        ("1", SetType.NORMAL),
        ("12", SetType.NORMAL),
        ("W", SetType.WARMUP),
        ("WARM_UP", SetType.WARMUP),
        ("D", SetType.DROP),
        ("F", SetType.FAILURE),
        ("FAILURE", SetType.FAILURE),
        ("w", SetType.WARMUP),
    ],
)
def test_strong_set_types(text: str, set_type: SetType) -> None:
    assert strong_set_type(text) is set_type


@pytest.mark.parametrize(
    ("text", "set_type"),
    [
        ("warmup", SetType.WARMUP),
        ("normal", SetType.NORMAL),
        ("failure", SetType.FAILURE),
        ("dropset", SetType.DROP),
    ],
)
def test_hevy_set_types(text: str, set_type: SetType) -> None:
    assert hevy_set_type(text) is set_type


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(
        Known(
            uuid.uuid4(),
            entry["name"],
            Modality(entry["modality"]),
            is_system=True,
            search_key=entry_search_key(entry),
        )
        for entry in read_library()
    )


@pytest.mark.parametrize(
    ("source_name", "name"),
    [
        ("Bench Press (Barbell)", "Bench Press"),
        ("bench press", "Bench Press"),
        ("BENCH  PRESS (barbell)", "Bench Press"),
        ("Bench Press (Dumbbell)", "Dumbbell Bench Press"),
        ("Bench Press (Smith Machine)", "Smith Machine Bench Press"),
        ("Squat (Smith Machine)", "Smith Machine Squat"),
        ("Squat (Barbell)", "Back Squat"),
        ("Chest Press (Machine)", "Machine Chest Press"),
        ("Leg Press (Machine)", "Leg Press"),
        ("Lat Pulldown (Cable)", "Lat Pulldown"),
        ("Bicep Curl (Cable)", "Cable Curl"),
        ("Bicep Curl (Barbell)", "Barbell Curl"),
        ("Triceps Pushdown (Cable - Straight Bar)", "Tricep Pushdown"),
        ("Pull Up", "Pull-Up"),
        ("Pull Up (Assisted)", "Assisted Pull-Up"),
        ("Pull Up (Weighted)", "Pull-Up"),
        ("Chin Up (Bodyweight)", "Chin-Up"),
        ("Calf Raise (Bodyweight)", "Bodyweight Calf Raise"),
        ("Goblet Squat (Kettlebell)", "Goblet Squat"),
        ("Face Pull (Band)", "Face Pull"),
        ("Shoulder Press (Dumbbell)", "Dumbbell Shoulder Press"),
        ("Shoulder Press (Barbell)", "Overhead Press"),
        ("Deadlift (Trap Bar)", "Trap Bar Deadlift"),
        ("Bent Over Row (Barbell)", "Bent-Over Row"),
        ("Farmers Walk", "Farmer's Walk"),
        ("Bench Press (Close Grip)", "Close-Grip Bench Press"),  # an unknown suffix in front
        ("Bicep Curl", "Dumbbell Curl"),  # an alias
        ("Nordic Curl", "Nordic Hamstring Curl"),
        ("Running (Treadmill)", "Treadmill Run"),
    ],
)
def test_names_match_the_library(matcher: Matcher, source_name: str, name: str) -> None:
    found = matcher.match(source_name)
    assert found is not None
    assert found.name == name


@pytest.mark.parametrize(
    "source_name",
    [
        "Lat Pulldown (Dumbbell)",  # the base name exists, with another modality
        "Bench Press (Wide Grip)",  # an unknown suffix that names no library exercise
        "Dip (Assisted)",
        "Zercher Squat (Barbell)",
    ],
)
def test_names_that_match_nothing(matcher: Matcher, source_name: str) -> None:
    assert matcher.match(source_name) is None


@pytest.mark.parametrize(
    ("source_name", "modality"),
    [
        ("Zercher Squat (Barbell)", Modality.BARBELL),
        ("Lat Pulldown (Dumbbell)", Modality.DUMBBELL),
        ("Dip (Assisted)", Modality.MACHINE),
        ("Wrist Roller (Band)", Modality.CABLE),
        ("Swing (Kettlebell)", Modality.DUMBBELL),
        ("Flat Barbell Bench Press", Modality.BARBELL),
        ("Hammer Strength Machine Row", Modality.MACHINE),
        ("Bench Press (Close Grip)", Modality.BARBELL),
        ("Rope Push Down", Modality.CABLE),
        ("Treadmill", Modality.MACHINE),
        ("Yoga", Modality.BODYWEIGHT),
    ],
)
def test_modality_of_new_exercises(matcher: Matcher, source_name: str, modality: Modality) -> None:
    assert matcher.guess_modality(source_name) is modality


IMPORT_NAMES = json.loads(
    resources.files("ironlog.data").joinpath("import_names.json").read_text("utf-8")
)


@pytest.mark.parametrize(
    "row", IMPORT_NAMES, ids=[f"{row['app']}:{row['name']}" for row in IMPORT_NAMES]
)
def test_trackers_names_map_to_the_library(matcher: Matcher, row: dict[str, str]) -> None:
    found = matcher.match(row["name"])
    assert found is not None
    assert found.name == row["exercise"]


def test_the_trackers_names_table_covers_the_three_apps() -> None:
    apps = {row["app"] for row in IMPORT_NAMES}
    assert apps == {"strong", "hevy", "fitnotes"}
    assert all(sum(row["app"] == app for row in IMPORT_NAMES) >= 40 for app in apps)


def test_exact_only_matching_ignores_the_equipment_convention(matcher: Matcher) -> None:
    assert matcher.match("Bench Press (Dumbbell)", exact_only=True) is None
    found = matcher.match("bench press", exact_only=True)
    assert found is not None
    assert found.name == "Bench Press"


def test_suffixes_and_loose_keys() -> None:
    base, equipment, had_suffix = split_suffix("Triceps Pushdown (Cable - Rope)")
    assert (base, had_suffix) == ("Triceps Pushdown", True)
    assert equipment is not None
    assert equipment.modality is Modality.CABLE
    assert split_suffix("Plank")[1:] == (None, False)
    assert loose_key("Farmer's  Walk") == loose_key("farmers walk") == "farmers walk"
    assert loose_key("T-Bar Row") == "t bar row"


def _parse(content: bytes, source: str = "auto") -> ParsedFile:
    return parse_file(io.BytesIO(content), source=source, options=ParseOptions())


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            b"Date,Workout Name,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
            b"Workout Notes\n",
            "strong",
        ),
        (
            b'"Workout #";"Date";"Workout Name";"Duration (sec)";"Exercise Name";"Set Order";'
            b'"Weight (kg)";"Reps";"RPE";"Distance (meters)";"Seconds";"Notes";"Workout Notes"\n',
            "strong",
        ),
        (b"Date\tWorkout Name\tExercise Name\tSet Order\tWeight\tReps\n", "strong"),
        (
            b'"title","start_time","end_time","description","exercise_title","superset_id",'
            b'"exercise_notes","set_index","set_type","weight_kg","reps","distance_km",'
            b'"duration_seconds","rpe"\n',
            "hevy",
        ),
        (b"Date,Exercise,Category,Weight (lbs),Reps,Distance,Distance Unit,Time\n", "fitnotes"),
        (
            b"Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time,Comment\n",
            "fitnotes",
        ),
        (
            b"\xef\xbb\xbfworkout_id,workout_name,started_at,finished_at,workout_notes,exercise_name,"
            b"body_part,modality,exercise_position,execution_notes,set_position,set_type,weight_kg,"
            b"reps,duration_seconds,distance_m,rpe,rest_seconds,completed,set_notes",
            "ironlog_csv",
        ),
        (b' {"format": "ironlog", "version": 1, "workouts": []}', "ironlog_json"),
    ],
)
def test_detection(header: bytes, expected: str) -> None:
    assert _parse(header).format == expected


def test_unknown_json_version_is_unrecognized() -> None:
    with pytest.raises(UnrecognizedFile, match="version 2"):
        _parse(b'{"format": "ironlog", "version": 2, "workouts": []}')


def test_windows_1252_files_are_read() -> None:
    content = (
        "Date,Workout Name,Exercise Name,Set Order,Weight,Reps\n"
        "2020-01-01 10:00:00,Séance,Développé couché,1,80,5\n"
    ).encode("cp1252")
    workout = _parse(content).workouts[0]
    assert workout.name == "Séance"
    assert workout.executions[0].exercise_name == "Développé couché"
