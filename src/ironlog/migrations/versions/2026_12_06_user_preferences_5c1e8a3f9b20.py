"""user preferences: units, time zone, week start, rest and plates, one row per user

Revision ID: 5c1e8a3f9b20
Revises: 08d359de5a0d
Create Date: 2026-12-06 04:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1e8a3f9b20"
down_revision: str | None = "08d359de5a0d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_preferences",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("weight_unit", sa.String(length=2), nullable=False),
        sa.Column("distance_unit", sa.String(length=2), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("week_starts_on", sa.String(length=6), nullable=False),
        sa.Column("default_rest_seconds", sa.Integer(), nullable=False),
        sa.Column(
            "bar_weight_kg", sa.Numeric(precision=6, scale=3, asdecimal=False), nullable=False
        ),
        sa.Column("plates_kg", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "distance_unit IN ('km', 'mi')", name=op.f("ck_user_preferences_distance_unit")
        ),
        sa.CheckConstraint(
            "week_starts_on IN ('monday', 'sunday')",
            name=op.f("ck_user_preferences_week_starts_on"),
        ),
        sa.CheckConstraint(
            "weight_unit IN ('kg', 'lb')", name=op.f("ck_user_preferences_weight_unit")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_preferences_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_preferences")),
    )


def downgrade() -> None:
    op.drop_table("user_preferences")
