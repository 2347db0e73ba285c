"""Local dates: the user's time zone decides on which day, and in which week, a workout falls.

A `LocalCalendar` turns local dates into UTC instants (for `from` / `to` filters, which then use
the index on `started_at`) and gives each database an exact expression for the local date of a
stored instant:

- PostgreSQL converts with `timezone(zone, started_at)` (`AT TIME ZONE`).
- SQLite has no time zone database, so the UTC offsets in force over the queried instants are
  computed here from zoneinfo, and the SQL adds the right one with a CASE over the transition
  instants (`sqlite_offsets`). Exact to the second, daylight-saving changes included.

docs/stats.md explains the method and its proof (tests/core/test_local_time.py).
"""

import enum
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)
ONE_DAY = timedelta(days=1)
# Offsets change at most a few times a year and never twice within half a day: the year is
# scanned in steps of this size and each change is then found to the second.
_SCAN_STEP = timedelta(hours=12)
# SQLite's offsets are computed for these years (a few milliseconds a year, once per zone and
# year); instants outside use the offset of the nearest end. No workout is logged there, and
# the bound keeps a workout dated 9999 from costing seconds, and the arithmetic from overflowing.
_FIRST_YEAR, _LAST_YEAR = 1850, 2200
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


class WeekStart(enum.StrEnum):
    MONDAY = "monday"
    SUNDAY = "sunday"


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA names a user may choose (exact spelling, as the zone database has them)."""
    return frozenset(available_timezones() - _NOT_ZONES)


def is_time_zone(name: str) -> bool:
    return name in time_zone_names()


@dataclass(frozen=True, slots=True)
class Offset:
    """From `since` (UTC) on, local time is UTC plus `seconds`."""

    since: datetime
    seconds: int


def _offset_at(zone: ZoneInfo, instant: datetime) -> int:
    # A ZoneInfo always has an offset; `or` only satisfies the type (timedelta | None).
    offset = instant.astimezone(zone).utcoffset() or timedelta()
    return int(offset.total_seconds())


def _change_in(zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The first second in (low, high] whose offset differs from low's (there is one)."""
    before = _offset_at(zone, low)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            middle = low + timedelta(seconds=1)
        if _offset_at(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high


@lru_cache(maxsize=4096)
def _changes_in_year(name: str, year: int) -> tuple[Offset, ...]:
    """The offsets that start within the UTC year `year` of zone `name`."""
    zone = ZoneInfo(name)
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    changes = []
    low, offset = start, _offset_at(zone, start)
    while low < end:
        high = min(low + _SCAN_STEP, end)
        if _offset_at(zone, high) != offset:
            since = _change_in(zone, low, high)
            offset = _offset_at(zone, since)
            changes.append(Offset(since, offset))
            low = since
        else:
            low = high
    return tuple(changes)


def _clamp(instant: datetime) -> datetime:
    first = datetime(_FIRST_YEAR, 1, 1, tzinfo=UTC)
    last = datetime(_LAST_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC)
    return min(max(instant, first), last)


@dataclass(frozen=True, slots=True)
class LocalCalendar:
    """A user's time zone (an IANA name) and first day of the week."""

    timezone: str = "UTC"
    week_starts_on: WeekStart = WeekStart.MONDAY

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, instant: datetime) -> date:
        try:
            return instant.astimezone(self.zone).date()
        except OverflowError:  # within a day of the calendar's ends
            return instant.date()

    def today(self, now: datetime) -> date:
        return self.local_date(now)

    def first_instant(self, day: date) -> datetime:
        """The first instant whose local date is `day` or later, in UTC; the calendar's ends
        when that falls outside it. Midnight that a daylight-saving change skips resolves
        (fold 0) to the instant of the change itself, which starts the day."""
        try:
            return datetime.combine(day, time.min, self.zone).astimezone(UTC)
        except OverflowError:
            return EARLIEST if day.year == 1 else LATEST

    def last_instant(self, day: date) -> datetime:
        """The last microsecond whose local date is `day` or earlier."""
        if day == date.max:
            return LATEST
        after = self.first_instant(day + ONE_DAY)
        return after if after in (EARLIEST, LATEST) else after - timedelta(microseconds=1)

    def week_start(self, day: date) -> date:
        """The first day of the week holding `day` (a Monday or a Sunday); the calendar's first
        day when that week starts before it."""
        back = (day.weekday() + self.days_after_week_start) % 7
        return date.min if day.toordinal() - back < 1 else day - timedelta(days=back)

    @property
    def days_after_week_start(self) -> int:
        """Add to Python's weekday() (Monday 0), modulo 7, to count days since the week began."""
        return 0 if self.week_starts_on == WeekStart.MONDAY else 1

    def sqlite_offsets(self, first: datetime, last: datetime) -> tuple[Offset, ...]:
        """The offsets in force from `first` to `last`: the first one's `since` is `first`."""
        first, last = _clamp(first), _clamp(last)
        if self.timezone == "UTC":
            return (Offset(first, 0),)
        offsets = [Offset(first, _offset_at(self.zone, first))]
        for year in range(first.year, last.year + 1):
            for change in _changes_in_year(self.timezone, year):
                if first < change.since <= last and change.seconds != offsets[-1].seconds:
                    offsets.append(change)
        return tuple(offsets)


def offset_at(offsets: tuple[Offset, ...], instant: datetime) -> int:
    """The offset `sqlite_offsets` gives for `instant` (the reference for the SQL CASE)."""
    index = bisect_right([offset.since for offset in offsets], instant) - 1
    return offsets[max(index, 0)].seconds
