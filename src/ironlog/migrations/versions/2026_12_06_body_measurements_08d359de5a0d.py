"""body measurements: one entry per user and local date

Revision ID: 08d359de5a0d
Revises: 679f7ce8a9e5
Create Date: 2026-12-06 04:14:37.161173+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "08d359de5a0d"
down_revision: str | None = "679f7ce8a9e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "body_measurement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("measurement_date", sa.Date(), nullable=False),
        sa.Column("weight_kg", sa.Numeric(precision=6, scale=3, asdecimal=False), nullable=True),
        sa.Column("body_fat_pct", sa.Numeric(precision=4, scale=2, asdecimal=False), nullable=True),
        sa.Column("neck", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("chest", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("waist", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("hips", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("arm_left", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("arm_right", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("thigh_left", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("thigh_right", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("calf_left", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("calf_right", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_body_measurement_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body_measurement")),
        sa.UniqueConstraint(
            "user_id", "measurement_date", name=op.f("uq_body_measurement_user_id_measurement_date")
        ),
    )


def downgrade() -> None:
    op.drop_table("body_measurement")
