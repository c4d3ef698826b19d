"""accounts: users, their billing keys, and the account an order belongs to

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:10:55.609209

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("next_customer_uid", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("next_customer_uid", name=op.f("uq_users_next_customer_uid")),
    )
    op.create_table(
        "billing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("customer_uid", sa.String(length=80), nullable=False),
        sa.Column("pg_provider", sa.String(length=20), nullable=False),
        sa.Column("card_name", sa.String(length=40), nullable=True),
        sa.Column("card_number", sa.String(length=40), nullable=True),
        sa.Column("inserted_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("replaced", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_billing_keys_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_keys")),
        sa.UniqueConstraint("customer_uid", name=op.f("uq_billing_keys_customer_uid")),
    )
    with op.batch_alter_table("billing_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_billing_keys_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_orders_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_user_id_users"), "users", ["user_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_orders_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_orders_user_id"))
        batch_op.drop_column("user_id")

    with op.batch_alter_table("billing_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_keys_user_id"))

    op.drop_table("billing_keys")
    op.drop_table("users")
