"""The filters of the workout list, parsed from its query by the router and applied by the
repository's read path."""

import uuid
from dataclasses import dataclass
from datetime import date

from ironlog.models import WorkoutStatus


@dataclass(frozen=True, slots=True)
class WorkoutFilters:
    status: WorkoutStatus | None = None
    from_date: date | None = None
    to_date: date | None = None
    exercise_id: uuid.UUID | None = None
    q: str | None = None
