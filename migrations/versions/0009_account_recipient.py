"""account recipient: who receives an account's one-click, Buy now and subscription deliveries

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 16:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_name", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("recipient_tel", sa.String(length=30), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("recipient_tel")
        batch_op.drop_column("recipient_name")
