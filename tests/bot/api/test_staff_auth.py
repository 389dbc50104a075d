"""Every staff API that shows or changes a customer's complaint, return or question refuses a caller without
valid credentials (none, a wrong or blank integrator token, an expired, logged-out, unknown or deactivated
console session), and a refused change leaves the ticket and the return as they were."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import update

from bot.api.deps import SESSION_COOKIE, bearer_matches
from bot.app import create_app
from bot.config import Settings
from bot.ops.seed import seed_agents
from bot.services.complaints import file_complaint, find_complaint
from bot.services.orders import get_order_backend
from bot.services.returns import find_return
from bot.services.unanswered import record_unanswered
from bot.store import db
from bot.store.models import Agent, AgentSession, utcnow
from tests.bot.conftest import unused_port
from tests.bot.console.conftest import Console
from tests.factories import a_return

TOKEN = "integrator-secret"  # what client_without_rasa configures as GATEWAY_API_TOKEN


def _customer_data() -> tuple[str, str]:
    """One ticket, one return and one unanswered question: what a wrongly admitted caller would see."""
    with db.session_scope() as session:
        ticket = file_complaint(
            session,
            customer_name="Rina Marlina",
            customer_phone="+6289637184520",
            description="keramik datang retak",
            channel="whatsapp",
        ).number
        order = get_order_backend().get_order("INV/20261113/MPL/7090992")
        number = a_return(session, order, description="ubin retak di sudut", conversation_id="c-a").number
        record_unanswered(
            session,
            question="alamat gudang di bogor dmn",
            conversation_id="c-a",
            channel="rest",
            brand=None,
            intent="nlu_fallback",
            top_score=0.5,
        )
    return ticket, number


Route = tuple[str, str, dict[str, Any] | None]
APPROVAL = {"approve": True, "agent": "dewi", "outcome": "kirim_ulang", "accepted_quantity": 1}


def _routes(ticket: str, number: str) -> list[Route]:
    return [
        ("GET", "/api/agent/complaints", None),
        ("GET", f"/api/agent/complaints/{ticket}", None),
        ("GET", "/api/agent/reports/complaints?quarter=2026Q4", None),
        ("POST", f"/api/agent/complaints/{ticket}/steps", {"step": "assigned", "agent": "dewi"}),
        ("GET", "/api/agent/returns", None),
        ("GET", f"/api/agent/returns/{number}", None),
        ("POST", f"/api/agent/returns/{number}/decision", APPROVAL),
        ("POST", f"/api/agent/returns/{number}/complete", {"agent": "dewi"}),
        ("GET", "/api/knowledge/unanswered", None),
    ]


# Supervisors' routes (an agent's session gets 403: tests/bot/reports/test_overview.py).
SUPERVISOR_ROUTES: list[Route] = [("GET", "/api/agent/reports/overview?days=7", None)]


def _call(client: TestClient, route: Route, headers: dict[str, str]) -> Any:
    method, path, body = route
    return client.request(method, path, json=body, headers=headers)


def _unchanged(ticket: str, number: str) -> None:
    with db.session_scope() as session:
        assert [e.kind for e in find_complaint(session, ticket).events] == ["received"]
        assert find_return(session, number).status == "diajukan"


def _session_cookie(client: TestClient, spoil: Callable[[Console], None] | None = None) -> str:
    """A console login's cookie value, optionally spoiled afterwards (expired, logged out, ...)."""
    dewi = Console(client.app, "dewi", "dewi-demo-123")
    cookie = dewi.client.cookies[SESSION_COOKIE]
    if spoil:
        spoil(dewi)
    return cookie


def _expire(_: Console) -> None:
    with db.session_scope() as session:
        session.execute(update(AgentSession).values(expires_at=utcnow() - timedelta(seconds=1)))


def _log_out(console: Console) -> None:
    assert console.post("/api/agent/logout").status_code == 204


def _deactivate(_: Console) -> None:
    with db.session_scope() as session:
        session.execute(update(Agent).where(Agent.username == "dewi").values(active=False))


BAD_CREDENTIALS: dict[str, Callable[[TestClient], dict[str, str]]] = {
    "none": lambda _: {},
    "wrong-token": lambda _: {"Authorization": "Bearer nope"},
    "token-with-suffix": lambda _: {"Authorization": f"Bearer {TOKEN}x"},
    "token-prefix": lambda _: {"Authorization": f"Bearer {TOKEN[:-1]}"},
    "blank-bearer": lambda _: {"Authorization": "Bearer "},
    "token-without-bearer": lambda _: {"Authorization": TOKEN},
    "token-as-basic": lambda _: {"Authorization": f"Basic {TOKEN}"},
    "unknown-session": lambda _: {"Cookie": f"{SESSION_COOKIE}=not-a-session"},
    "expired-session": lambda c: {"Cookie": f"{SESSION_COOKIE}={_session_cookie(c, _expire)}"},
    "logged-out-session": lambda c: {"Cookie": f"{SESSION_COOKIE}={_session_cookie(c, _log_out)}"},
    "deactivated-agent": lambda c: {"Cookie": f"{SESSION_COOKIE}={_session_cookie(c, _deactivate)}"},
}


@pytest.fixture
def staff_client(client_without_rasa: TestClient) -> TestClient:
    with db.session_scope() as session:
        seed_agents(session)
    return client_without_rasa


@pytest.mark.parametrize("credentials", BAD_CREDENTIALS.values(), ids=BAD_CREDENTIALS.keys())
def test_staff_apis_refuse_a_caller_without_valid_credentials(
    staff_client: TestClient, credentials: Callable[[TestClient], dict[str, str]]
) -> None:
    ticket, number = _customer_data()
    headers = credentials(staff_client)
    for route in _routes(ticket, number) + SUPERVISOR_ROUTES:
        response = _call(staff_client, route, headers)
        assert response.status_code == 401, route
        assert ticket not in response.text, route
        assert "Rina" not in response.text, route
    _unchanged(ticket, number)


def test_a_console_session_reads_but_changes_only_with_its_csrf_token(staff_client: TestClient) -> None:
    ticket, number = _customer_data()
    dewi = Console(staff_client.app, "dewi", "dewi-demo-123")
    routes = _routes(ticket, number)
    for route in routes:
        if route[0] == "GET":
            assert _call(dewi.client, route, {}).status_code == 200, route
        else:
            for csrf in ({}, {"X-CSRF-Token": "nope"}):
                assert _call(dewi.client, route, csrf).status_code == 403, route
    _unchanged(ticket, number)
    # the same changes with the token go through: the refusals above were about the token, not the route
    for route in routes:
        if route[0] == "POST":
            assert _call(dewi.client, route, {"X-CSRF-Token": dewi.csrf}).status_code == 200, route


def test_the_integrator_token_is_let_in(staff_client: TestClient) -> None:
    ticket, number = _customer_data()
    for route in _routes(ticket, number):
        if route[0] == "GET":
            assert _call(staff_client, route, {"Authorization": f"Bearer {TOKEN}"}).status_code == 200, route


def test_a_blank_integrator_token_is_no_token(database_url: str) -> None:
    """GATEWAY_API_TOKEN= (an empty line in .env) must not turn "Bearer " into the integrator's key, here or
    on the REST channel (which would then trust a forged verified_phone)."""
    settings = Settings(
        database_url=database_url,
        rasa_port=unused_port(),
        action_server_port=unused_port(),
        gateway_api_token=SecretStr(""),
    )
    for header in ("Bearer ", "Bearer    ", None):
        assert bearer_matches(settings, header) is False
    ticket, number = _customer_data()
    with TestClient(create_app(settings)) as client:
        for route in _routes(ticket, number):
            assert _call(client, route, {"Authorization": "Bearer "}).status_code == 401, route
    _unchanged(ticket, number)


def test_an_agent_records_steps_under_their_own_name_only(staff_client: TestClient) -> None:
    """The audit trail names who really acted: the session's agent. Dewi naming Budi is refused and changes
    nothing; without a name, or with her own, the step is hers."""
    ticket, number = _customer_data()
    dewi = Console(staff_client.app, "dewi", "dewi-demo-123")
    as_budi = [
        ("POST", f"/api/agent/complaints/{ticket}/steps", {"step": "assigned", "agent": "budi"}),
        ("POST", f"/api/agent/returns/{number}/decision", {**APPROVAL, "agent": "budi"}),
        ("POST", f"/api/agent/returns/{number}/complete", {"agent": "budi"}),
    ]
    for route in as_budi:
        response = _call(dewi.client, route, {"X-CSRF-Token": dewi.csrf})
        assert response.status_code == 403, route
    _unchanged(ticket, number)

    step = _call(
        dewi.client,
        ("POST", f"/api/agent/complaints/{ticket}/steps", {"step": "assigned"}),
        {"X-CSRF-Token": dewi.csrf},
    )
    assert step.json()["events"][-1]["actor"] == "agent:dewi"
    decision = _call(
        dewi.client, ("POST", f"/api/agent/returns/{number}/decision", APPROVAL), {"X-CSRF-Token": dewi.csrf}
    )
    assert decision.status_code == 200
    with db.session_scope() as session:
        assert [(e.kind, e.actor) for e in find_return(session, number).events][-1] == (
            "dikirim_ulang",
            "agent:dewi",
        )
