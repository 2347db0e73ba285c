import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped, new_id
from ironlog.models.synced import Synced

# The circumferences, in centimetres; the API's field names.
CIRCUMFERENCES = (
    "neck",
    "chest",
    "waist",
    "hips",
    "arm_left",
    "arm_right",
    "thigh_left",
    "thigh_right",
    "calf_left",
    "calf_right",
)


def _centimetres() -> Mapped[float | None]:
    return mapped_column(Numeric(5, 2, asdecimal=False))


class BodyMeasurement(Synced, Timestamped, Base):
    """One entry per user and local date: body weight, body fat and circumferences."""

    __tablename__ = "body_measurement"
    # Its index also serves the list (a user's entries by date, read backwards for newest
    # first) and the cascade from the user.
    __table_args__ = (UniqueConstraint("user_id", "measurement_date"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    measurement_date: Mapped[date] = mapped_column(Date)
    # Floats in Python (JSON numbers), exact decimals in the database: to the gram, and to a
    # hundredth of a percent or of a centimetre.
    weight_kg: Mapped[float | None] = mapped_column(Numeric(6, 3, asdecimal=False))
    body_fat_pct: Mapped[float | None] = mapped_column(Numeric(4, 2, asdecimal=False))
    neck: Mapped[float | None] = _centimetres()
    chest: Mapped[float | None] = _centimetres()
    waist: Mapped[float | None] = _centimetres()
    hips: Mapped[float | None] = _centimetres()
    arm_left: Mapped[float | None] = _centimetres()
    arm_right: Mapped[float | None] = _centimetres()
    thigh_left: Mapped[float | None] = _centimetres()
    thigh_right: Mapped[float | None] = _centimetres()
    calf_left: Mapped[float | None] = _centimetres()
    calf_right: Mapped[float | None] = _centimetres()
    notes: Mapped[str | None] = mapped_column(String(500))
