"""korean checkout: recipient, address detail, delivery memo and shipping fee on orders

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 13:05:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_detail", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("recipient_name", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("recipient_tel", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("delivery_memo", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("shipping_fee", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("shipping_fee")
        batch_op.drop_column("delivery_memo")
        batch_op.drop_column("recipient_tel")
        batch_op.drop_column("recipient_name")
        batch_op.drop_column("address_detail")
