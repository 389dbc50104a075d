"""indexes for finding a customer's cases without their number: complaints by order and by
conversation, returns by conversation and by phone

Revision ID: 5d2b8e41c0a7
Revises: c7e1f0a4b2d9
Create Date: 2026-12-07 12:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d2b8e41c0a7"
down_revision: str | None = "c7e1f0a4b2d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_complaints_order_id"), "complaints", ["order_id"])
    op.create_index(op.f("ix_complaints_conversation_id"), "complaints", ["conversation_id"])
    op.create_index(op.f("ix_return_requests_conversation_id"), "return_requests", ["conversation_id"])
    op.create_index(op.f("ix_return_requests_customer_phone"), "return_requests", ["customer_phone"])


def downgrade() -> None:
    op.drop_index(op.f("ix_return_requests_customer_phone"), table_name="return_requests")
    op.drop_index(op.f("ix_return_requests_conversation_id"), table_name="return_requests")
    op.drop_index(op.f("ix_complaints_conversation_id"), table_name="complaints")
    op.drop_index(op.f("ix_complaints_order_id"), table_name="complaints")
