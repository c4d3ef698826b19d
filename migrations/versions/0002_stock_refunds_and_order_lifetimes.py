"""stock never below zero; refunded amount, payable-until and replacement on orders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:59:51.863507

"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The lifetime orders still open when this runs get: ORDER_PAYABLE_MINUTES's default.
PAYABLE_MINUTES = 30

orders = sa.table(
    "orders",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("payable_until", sa.DateTime),
)


def upgrade():
    # Stock oversold before stock was taken conditionally would fail the new check.
    op.execute("UPDATE products SET stock = 0 WHERE stock < 0")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f("ck_products_stock_not_negative"), "stock >= 0")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded_amount", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("payable_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_replaced_by_id_orders"), "orders", ["replaced_by_id"], ["id"]
        )

    # Orders already closed are never paid again; those still open get a lifetime counted
    # from when they were placed.
    connection = op.get_bind()
    connection.execute(orders.update().values(payable_until=orders.c.created_at))
    still_open = connection.execute(
        sa.select(orders.c.id, orders.c.created_at).where(
            orders.c.status.in_(("pending", "failed"))
        )
    ).all()
    for order_id, created_at in still_open:
        connection.execute(
            orders.update()
            .where(orders.c.id == order_id)
            .values(payable_until=created_at + timedelta(minutes=PAYABLE_MINUTES))
        )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("payable_until", existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_orders_replaced_by_id_orders"), type_="foreignkey")
        batch_op.drop_column("replaced_by_id")
        batch_op.drop_column("payable_until")
        batch_op.drop_column("refunded_amount")

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_products_stock_not_negative"), type_="check")
