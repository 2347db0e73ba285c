"""Reading the values of trackers' files: numbers, units, durations, dates and set types.

Every function takes the raw text of a cell and raises `BadValue` with a message meant for the
user when the text cannot be read.
"""

import functools
import math
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from ironlog.core.schemas import utc_in_range
from ironlog.core.units import round_to_gram
from ironlog.models import SetType
from ironlog.portability.formats.model import SetRecord

LB_IN_KG = 0.45359237
METRES_PER_UNIT = {
    "m": 1.0,
    "meter": 1.0,
    "meters": 1.0,
    "metre": 1.0,
    "metres": 1.0,
    "km": 1000.0,
    "kms": 1000.0,
    "kilometer": 1000.0,
    "kilometers": 1000.0,
    "mi": 1609.344,
    "mile": 1609.344,
    "miles": 1609.344,
    "ft": 0.3048,
    "feet": 0.3048,
    "yd": 0.9144,
    "yds": 0.9144,
    "yards": 0.9144,
}
WEIGHT_UNITS = {
    "kg": "kg",
    "kgs": "kg",
    "kilograms": "kg",
    "lb": "lb",
    "lbs": "lb",
    "pounds": "lb",
}

# The API's ranges for a set (`SetWrite` in workouts/schemas.py).
MAX_WEIGHT_KG = 1000
MAX_REPS = 1000
MAX_DURATION_SECONDS = 86_400
MAX_DISTANCE_M = 1_000_000
MAX_REST_SECONDS = 10_800


class BadValue(ValueError):
    """A cell that cannot be read; the message names the value and why."""


def clean(text: str | None) -> str:
    return (text or "").strip()


def optional_text(text: str | None) -> str | None:
    value = clean(text)
    return value or None


def parse_number(text: str | None, what: str) -> float | None:
    """A decimal number; empty is null. A lone decimal comma ("62,5") is understood."""
    value = clean(text)
    if not value:
        return None
    if "," in value and "." not in value and value.count(",") == 1:
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        raise BadValue(f"{what} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise BadValue(f"{what} {value!r} is not a number")
    return number


def weight_unit(text: str | None) -> str:
    value = clean(text).lower()
    try:
        return WEIGHT_UNITS[value]
    except KeyError:
        raise BadValue(f"weight unit {clean(text)!r} is not kg or lb") from None


def parse_weight(text: str | None, unit: str) -> float | None:
    """Kilograms rounded to the gram (which also drops float artefacts like 65.181223569)."""
    number = parse_number(text, "weight")
    if number is None:
        return None
    if unit == "lb":
        number *= LB_IN_KG
    return round_to_gram(number)


def distance_factor(unit: str | None) -> float:
    value = clean(unit).lower()
    try:
        return METRES_PER_UNIT[value]
    except KeyError:
        raise BadValue(f"distance unit {clean(unit)!r} is unknown") from None


def parse_distance(text: str | None, unit: str | None) -> float | None:
    """Metres rounded to two decimals."""
    number = parse_number(text, "distance")
    if number is None:
        return None
    return round(number * distance_factor(unit), 2) + 0.0


def parse_reps(text: str | None) -> int | None:
    """A whole number of repetitions; "8.0" is 8, "8.5" is refused."""
    number = parse_number(text, "reps")
    if number is None:
        return None
    if not number.is_integer():
        raise BadValue(f"reps {clean(text)!r} is not a whole number")
    return int(number)


def parse_rpe(text: str | None) -> float | None:
    """RPE 1..10 in steps of 0.5; empty and 0 (what apps write for "not rated") are null."""
    number = parse_number(text, "RPE")
    if number is None or number == 0:
        return None
    return number


_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
_UNITS = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hour|hours|m|min|mins|minute|minutes|s|sec|secs|second|seconds)\b"
)
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}


# Longer than any real duration (a workout left running for weeks is kept, with a warning);
# beyond it a value is refused rather than overflowing date arithmetic.
MAX_PARSED_SECONDS = 366 * 86_400


# Every row of a workout repeats its date and duration: parsing each distinct text once keeps a
# 20 MiB import (about 180,000 rows) within seconds. Errors are not cached; they are raised again.
@functools.lru_cache(maxsize=4096)
def parse_duration(text: str | None, what: str = "duration") -> int | None:
    """Seconds from "1h 5m", "31m", "55s", "0:09:21", "09:21" or plain seconds ("75", "75.0"),
    up to a year."""
    seconds = _duration_seconds(text, what)
    if seconds is not None and seconds > MAX_PARSED_SECONDS:
        raise BadValue(f"{what} {clean(text)!r} is longer than a year")
    return seconds


def _duration_seconds(text: str | None, what: str) -> int | None:
    value = clean(text).lower()
    if not value:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return round(float(value))
    clock = _CLOCK.match(value)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + round(float(seconds))
    matches = list(_UNITS.finditer(value))
    if matches and _UNITS.sub("", value).strip() == "":
        total = 0.0
        for match in matches:
            amount = float(match.group(1).replace(",", "."))
            total += amount * _UNIT_SECONDS[match.group(2)[0]]
        return round(total)
    raise BadValue(f"{what} {clean(text)!r} is not a duration")


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d %b %Y, %H:%M",
    "%d %B %Y, %H:%M",
    "%d %b %Y, %H:%M:%S",
    "%b %d, %Y, %I:%M %p",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


@functools.lru_cache(maxsize=4096)
def parse_local_datetime(text: str | None, what: str = "date") -> datetime:
    """A wall-clock time without zone: "2021-07-07 18:35:21", "21 Nov 2024, 13:24"."""
    value = " ".join(clean(text).split())
    if value:
        for pattern in _DATE_FORMATS:
            try:
                return datetime.strptime(value, pattern)
            except ValueError:
                continue
    raise BadValue(f"{what} {value!r} is not a date and time")


def parse_date(text: str | None) -> datetime:
    """A calendar date ("2019-03-04"), as midnight."""
    value = clean(text)
    for pattern in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    raise BadValue(f"date {value!r} is not a date (YYYY-MM-DD)")


@functools.lru_cache(maxsize=4096)
def localize(moment: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone`, as a UTC instant (in the API's years 1900..2999)."""
    return instant_in_range(moment.replace(tzinfo=zone))


def instant_in_range(moment: datetime) -> datetime:
    try:
        return utc_in_range(moment)
    except ValueError:
        raise BadValue(
            f"date {moment.date().isoformat()} is outside the years 1900 to 2999"
        ) from None


def parse_instant(text: str | None, zone: ZoneInfo, what: str) -> datetime:
    """An ISO 8601 instant; one without an offset is read in `zone`."""
    value = clean(text)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue(f"{what} {value!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        return localize(moment, zone)
    return instant_in_range(moment)


@functools.lru_cache(maxsize=4096)
def local_key(moment: datetime) -> str:
    """How a wall-clock start time appears in a source key (independent of `timezone`)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


STRONG_SET_TYPES = {
    "W": SetType.WARMUP,
    "WARM_UP": SetType.WARMUP,
    "WARMUP": SetType.WARMUP,
    "D": SetType.DROP,
    "DROP": SetType.DROP,
    "DROP_SET": SetType.DROP,
    "DROPSET": SetType.DROP,
    "F": SetType.FAILURE,
    "FAILURE": SetType.FAILURE,
}
HEVY_SET_TYPES = {
    "warmup": SetType.WARMUP,
    "normal": SetType.NORMAL,
    "failure": SetType.FAILURE,
    "dropset": SetType.DROP,
    "drop": SetType.DROP,
    "": SetType.NORMAL,
}


def strong_set_type(text: str | None) -> SetType:
    """Strong's "Set Order": a number is a normal set, letters mark warm-up, drop and failure."""
    value = clean(text).upper()
    if value in STRONG_SET_TYPES:
        return STRONG_SET_TYPES[value]
    if re.fullmatch(r"\d+(?:\.0+)?", value):
        return SetType.NORMAL
    raise BadValue(f"set order {clean(text)!r} is not a number, W, D or F")


def hevy_set_type(text: str | None) -> SetType:
    value = clean(text).lower()
    try:
        return HEVY_SET_TYPES[value]
    except KeyError:
        raise BadValue(
            f"set type {clean(text)!r} is not warmup, normal, failure or dropset"
        ) from None


def set_type(text: str | None) -> SetType:
    """IronLog's own set types; empty is normal."""
    value = clean(text).lower() or "normal"
    try:
        return SetType(value)
    except ValueError:
        raise BadValue(f"set_type {clean(text)!r} is not warmup, normal, failure or drop") from None


def drop_unentered_zeros(record: SetRecord) -> None:
    """Strong and FitNotes write 0 in the columns a set does not use: a zero time or distance is
    null, and a set with a time or a distance keeps only those when its weight or reps are 0
    (a plank of 60 s is not "0 kg x 0 reps"). Migration 679f7ce8a9e5 applies the same rule to
    what earlier imports stored."""
    if record.duration_seconds == 0:
        record.duration_seconds = None
    if record.distance_m == 0:
        record.distance_m = None
    if record.duration_seconds is None and record.distance_m is None:
        return
    if record.weight_kg == 0:
        record.weight_kg = None
    if record.reps == 0:
        record.reps = None


def check_set(record: SetRecord) -> None:
    """The API's ranges for a set (as the API's); a set out of them is an unreadable row."""
    _check_range("weight", record.weight_kg, MAX_WEIGHT_KG, "kg")
    _check_range("reps", record.reps, MAX_REPS, "")
    _check_range("duration", record.duration_seconds, MAX_DURATION_SECONDS, "s")
    _check_range("distance", record.distance_m, MAX_DISTANCE_M, "m")
    _check_range("rest", record.rest_seconds, MAX_REST_SECONDS, "s")
    if record.rpe is not None and not (1 <= record.rpe <= 10 and (record.rpe * 2).is_integer()):
        raise BadValue(f"RPE {record.rpe:g} is not between 1 and 10 in steps of 0.5")
    if record.reps is None and record.duration_seconds is None and record.distance_m is None:
        raise BadValue("the set has no reps, duration or distance")


def check_rest(seconds: int | None) -> None:
    _check_range("rest", seconds, MAX_REST_SECONDS, "s")


def _check_range(what: str, value: float | None, maximum: float, unit: str) -> None:
    if value is not None and not 0 <= value <= maximum:
        raise BadValue(f"{what} {value:g}{unit} is out of range (0..{maximum:g}{unit})")


def truncate(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    value = text.strip()
    return value[:limit].rstrip() or None if value else None
