"""veto floor: the score below which a veto item fails a household

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 18:50:00

Years created before this revision keep their meaning (a veto item below full marks fails the
household): the column defaults to 10, the full points of every standard.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("campaign_year", schema=None) as batch_op:
        batch_op.add_column(sa.Column("veto_floor", sa.Integer(), server_default="10", nullable=False))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("campaign_year", schema=None) as batch_op:
        batch_op.drop_column("veto_floor")
