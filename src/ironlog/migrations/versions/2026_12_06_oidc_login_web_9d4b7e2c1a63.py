"""oidc_login.web: Google sign-ins started by the web app answer with a cookie and a redirect

Revision ID: 9d4b7e2c1a63
Revises: 0001
Create Date: 2026-12-06 04:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d4b7e2c1a63"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("oidc_login") as batch_op:
        batch_op.add_column(
            sa.Column("web", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("oidc_login") as batch_op:
        batch_op.drop_column("web")
