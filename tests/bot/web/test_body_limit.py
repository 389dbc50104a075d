import json
from collections.abc import Iterator

from sqlalchemy import func, select

from bot.store.db import session_scope
from bot.store.models import Message

HUGE = json.dumps({"sender": "x", "message": "halo", "metadata": {"pad": "a" * 400_000}}).encode()


def stored_inbound() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) or 0


def test_a_declared_body_over_the_limit_is_413_before_it_is_read(client_without_rasa):
    response = client_without_rasa.post(
        "/webhooks/rest/webhook", content=HUGE, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "request body larger than 256000 bytes"}
    assert stored_inbound() == 0


def test_a_streamed_body_over_the_limit_is_413_too(client_without_rasa):
    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        for start in range(0, len(HUGE), 8192):
            yield HUGE[start : start + 8192]

    response = client_without_rasa.post(
        "/webhooks/rest/webhook", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert stored_inbound() == 0


def test_a_body_under_the_limit_reaches_the_route(client_without_rasa):
    response = client_without_rasa.post(
        "/webhooks/rest/webhook", json={"sender": "x", "message": "halo", "metadata": {"pad": "a" * 200_000}}
    )
    assert response.status_code == 503  # answered by the route: Rasa is down in this fixture
    assert stored_inbound() == 1
