"""The same migrations and order flow on PostgreSQL (TEST_POSTGRES_URL, set by .ci/run)."""

import pytest

from actions.orders import ActionCheckOrderStatus, ValidateOrderStatusForm
from bot.ops.seed import seed_orders
from bot.services.complaints import file_complaint
from bot.store import db
from tests.actions.helpers import order_form_tracker, run_action, slot_values

pytestmark = pytest.mark.postgres


def test_order_status_flow_on_postgres(postgres_url):
    with db.session_scope() as session:
        assert seed_orders(session) >= 30
    text = "UK-2611-008170"
    tracker = order_form_tracker(
        text=text,
        extracted={"order_id": text},
        metadata={"channel": "whatsapp", "verified_phone": "+6281322740915"},
    )
    events, _ = run_action(ValidateOrderStatusForm(), tracker)
    assert slot_values(events)["order_verified"] is True
    _, messages = run_action(
        ActionCheckOrderStatus(),
        order_form_tracker(text="", slots={"order_id": text, "order_verified": True}),
    )
    assert '"Sedang Dikirim"' in messages[0]["text"]


def test_complaint_numbers_stay_unique_on_postgres(postgres_url, monkeypatch):
    """A number another process already took is drawn again inside the same transaction."""
    draws = iter(["PGD-2612-AAAAA", "PGD-2612-AAAAA", "PGD-2612-BBBBB"])
    monkeypatch.setattr("bot.services.complaints.new_ticket_number", lambda _day: next(draws))
    numbers = []
    for _ in range(2):
        with db.session_scope() as session:
            complaint = file_complaint(
                session,
                customer_name="Rina",
                customer_phone="+6281234500001",
                description="refund belum masuk",
                channel="whatsapp",
            )
            numbers.append(complaint.number)
    assert numbers == ["PGD-2612-AAAAA", "PGD-2612-BBBBB"]
