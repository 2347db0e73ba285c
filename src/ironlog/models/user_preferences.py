import uuid

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped


class UserPreferences(Timestamped, Base):
    """A user's units, time zone and gym setup: one row per user, written on the first change
    (a user without a row has the defaults, see users/preferences.py)."""

    __tablename__ = "user_preferences"
    __table_args__ = (
        CheckConstraint("weight_unit IN ('kg', 'lb')", name="weight_unit"),
        CheckConstraint("distance_unit IN ('km', 'mi')", name="distance_unit"),
        CheckConstraint("week_starts_on IN ('monday', 'sunday')", name="week_starts_on"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    weight_unit: Mapped[str] = mapped_column(String(2))
    distance_unit: Mapped[str] = mapped_column(String(2))
    # An IANA name, checked against the zone database when it is set.
    timezone: Mapped[str] = mapped_column(String(64))
    week_starts_on: Mapped[str] = mapped_column(String(6))
    default_rest_seconds: Mapped[int]
    bar_weight_kg: Mapped[float] = mapped_column(Numeric(6, 3, asdecimal=False))
    # Distinct positive weights in kg, heaviest first.
    plates_kg: Mapped[list[float]] = mapped_column(JSON)
