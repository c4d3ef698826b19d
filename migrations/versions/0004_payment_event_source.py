"""payment_events.door is called source

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.alter_column(
            "door", new_column_name="source", existing_type=sa.String(length=16), nullable=False
        )


def downgrade():
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.alter_column(
            "source", new_column_name="door", existing_type=sa.String(length=16), nullable=False
        )
