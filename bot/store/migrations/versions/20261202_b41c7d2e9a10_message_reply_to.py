"""message reply_to: which customer message a stored reply answers

Revision ID: b41c7d2e9a10
Revises: af90c429eb5b
Create Date: 2026-12-02 06:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b41c7d2e9a10"
down_revision: str | None = "af90c429eb5b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_to_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_messages_reply_to", "messages", ["reply_to_id"], ["id"])
        batch_op.create_index("ix_messages_reply_to", ["reply_to_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_reply_to")
        batch_op.drop_constraint("fk_messages_reply_to", type_="foreignkey")
        batch_op.drop_column("reply_to_id")
