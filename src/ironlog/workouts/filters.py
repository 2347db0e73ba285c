"""The filters of the workout list, parsed from its query by the router and applied by the
repository's read path."""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ironlog.core.local_time import LocalCalendar
from ironlog.models import WorkoutStatus


@dataclass(frozen=True, slots=True)
class WorkoutFilters:
    status: WorkoutStatus | None = None
    # Local dates of `started_at` in the user's time zone (`calendar`), both inclusive.
    from_date: date | None = None
    to_date: date | None = None
    exercise_id: uuid.UUID | None = None
    q: str | None = None
    calendar: LocalCalendar = field(default_factory=LocalCalendar)

    def started_range(self) -> tuple[datetime | None, datetime | None]:
        """`from` / `to` as instants: started_at >= the first, < the second (None: open)."""
        first = None if self.from_date is None else self.calendar.first_instant(self.from_date)
        if self.to_date is None or self.to_date == date.max:
            return first, None
        return first, self.calendar.first_instant(self.to_date + timedelta(days=1))
