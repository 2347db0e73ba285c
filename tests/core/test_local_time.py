"""The local calendar: day boundaries and the UTC offsets SQLite adds, against zoneinfo."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from ironlog.core.local_time import (
    EARLIEST,
    LATEST,
    LocalCalendar,
    Offset,
    WeekStart,
    is_time_zone,
    offset_at,
)

ZONES = [
    "UTC",
    "America/Los_Angeles",
    "America/Santiago",
    "Asia/Tokyo",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Europe/London",
    "Pacific/Kiritimati",
    "Pacific/Apia",
]
instants = st.datetimes(
    min_value=datetime(1960, 1, 1), max_value=datetime(2045, 1, 1), timezones=st.just(UTC)
)


def test_offsets_of_a_year_in_los_angeles_are_its_two_daylight_saving_changes() -> None:
    calendar = LocalCalendar("America/Los_Angeles")
    first, last = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    assert calendar.sqlite_offsets(first, last) == (
        Offset(first, -8 * 3600),
        Offset(datetime(2026, 3, 8, 10, tzinfo=UTC), -7 * 3600),
        Offset(datetime(2026, 11, 1, 9, tzinfo=UTC), -8 * 3600),
    )


def test_half_hour_changes_are_found_to_the_second() -> None:
    # Lord Howe Island: +11 in summer, +10:30 in winter.
    calendar = LocalCalendar("Australia/Lord_Howe")
    first, last = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    assert calendar.sqlite_offsets(first, last) == (
        Offset(first, 39600),
        Offset(datetime(2026, 4, 4, 15, tzinfo=UTC), 37800),
        Offset(datetime(2026, 10, 3, 15, 30, tzinfo=UTC), 39600),
    )


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES), a=instants, b=instants, probe=instants)
def test_the_offsets_give_zoneinfo_local_time_everywhere_in_the_range(
    zone: str, a: datetime, b: datetime, probe: datetime
) -> None:
    first, last = min(a, b), max(a, b)
    instant = min(max(probe, first), last)
    offsets = LocalCalendar(zone).sqlite_offsets(first, last)
    expected = instant.astimezone(ZoneInfo(zone)).utcoffset()
    assert expected is not None
    assert offset_at(offsets, instant) == expected.total_seconds()


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES), instant=instants)
def test_a_local_day_starts_at_its_first_instant(zone: str, instant: datetime) -> None:
    calendar = LocalCalendar(zone)
    day = instant.astimezone(ZoneInfo(zone)).date()
    first = calendar.first_instant(day)
    assert first <= instant <= calendar.last_instant(day)
    assert first.astimezone(ZoneInfo(zone)).date() == day
    assert (first - timedelta(microseconds=1)).astimezone(ZoneInfo(zone)).date() < day


def test_a_midnight_skipped_by_daylight_saving_starts_the_day_at_the_change() -> None:
    # Chile moves from -4 to -3 at midnight: 2026-09-06 begins at 01:00, 04:00 UTC.
    calendar = LocalCalendar("America/Santiago")
    assert calendar.first_instant(date(2026, 9, 6)) == datetime(2026, 9, 6, 4, tzinfo=UTC)
    assert calendar.last_instant(date(2026, 9, 5)) == datetime(
        2026, 9, 6, 3, 59, 59, 999999, tzinfo=UTC
    )


def test_the_calendar_ends_never_overflow() -> None:
    for zone in ("Pacific/Kiritimati", "America/Los_Angeles", "UTC"):
        calendar = LocalCalendar(zone, WeekStart.SUNDAY)
        assert calendar.first_instant(date.min) >= EARLIEST
        assert calendar.last_instant(date.max) == LATEST
        assert calendar.week_start(date.min) == date.min
        assert calendar.week_start(date.max) <= date.max
        assert calendar.sqlite_offsets(EARLIEST, LATEST)[0].since > EARLIEST
        assert calendar.local_date(LATEST) == date.max


def test_weeks_start_on_monday_or_sunday() -> None:
    saturday = date(2026, 11, 7)
    assert LocalCalendar().week_start(saturday) == date(2026, 11, 2)
    assert LocalCalendar(week_starts_on=WeekStart.SUNDAY).week_start(saturday) == date(2026, 11, 1)
    sunday = date(2026, 11, 8)
    assert LocalCalendar().week_start(sunday) == date(2026, 11, 2)
    assert LocalCalendar(week_starts_on=WeekStart.SUNDAY).week_start(sunday) == sunday


def test_only_iana_names_are_time_zones() -> None:
    assert is_time_zone("Europe/Paris")
    assert is_time_zone("UTC")
    assert not is_time_zone("europe/paris")
    assert not is_time_zone("localtime")
    assert not is_time_zone("../../etc/passwd")
    assert not is_time_zone("+02:00")
