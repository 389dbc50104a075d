"""Property tests over every channel of the real gateway (Rasa played by a local HTTP server): whatever
arrives, no 5xx but the documented 503, no traceback, a polite reply or a clear 4xx, nothing stored twice,
and the conversation still answers a normal message afterwards."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy import func, select
from starlette.testclient import WebSocketTestSession

from bot.app import create_app
from bot.config import Settings
from bot.services.sanitize import clean_text
from bot.store import db
from bot.store.models import Message
from tests.bot.channels.test_webchat import hello, until_typing_stops
from tests.fakes.rasa_server import FakeRasa
from tests.fakes.twilio_api import FakeTwilio
from tests.fuzzing import NASTY_TEXTS, form_text, json_values, messages, tried

PUBLIC = "https://cs.example.co.id"
SHOP = "whatsapp:+14155238886"
ids = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def client(request: pytest.FixtureRequest, rasa: FakeRasa, twilio: FakeTwilio) -> Iterator[TestClient]:
    """One gateway for all of a test's examples (Hypothesis runs them in one call of the test function), on
    SQLite and on PostgreSQL (which refuses NUL in text)."""
    database_url = request.getfixturevalue("database_url" if request.param == "sqlite" else "postgres_url")
    settings = Settings(
        database_url=database_url,
        rasa_url=rasa.url,
        public_base_url=PUBLIC,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=SecretStr(twilio.auth_token),
        twilio_whatsapp_number=SHOP.removeprefix("whatsapp:"),
        twilio_api_base_url=twilio.url,
        rate_limit_per_sender=0,
        rate_limit_per_address=0,
    )
    with TestClient(create_app(settings), client=("203.0.113.9", 40000)) as test_client:
        yield test_client


@pytest.fixture
def ws(client: TestClient) -> Iterator[WebSocketTestSession]:
    with client.websocket_connect("/ws/chat") as socket:
        hello(socket)
        yield socket


def inbound_count(*where: Any) -> int:
    with db.session_scope() as session:
        return (
            session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in", *where))
            or 0
        )


def assert_no_server_error(status: int, body: str) -> None:
    assert status < 500 or status == 503, (status, body[:500])
    assert "Traceback" not in body
    assert 'File "' not in body


def assert_polite_replies(payload: Any, sender: str) -> None:
    assert isinstance(payload, list)
    assert payload
    for reply in payload:
        assert reply["recipient_id"] == sender
        assert reply.get("text") or reply.get("buttons") or reply.get("image")


@settings(max_examples=150)
@given(
    sender=st.one_of(st.sampled_from(NASTY_TEXTS[:12]), st.text(max_size=250)),
    message=messages(),
    metadata=st.one_of(
        st.none(),
        json_values(),
        st.dictionaries(st.sampled_from(["brand", "channel", "media", "verified_phone"]), json_values(5)),
    ),
)
def test_rest_any_message_gets_a_reply_or_a_clear_4xx_and_is_stored_once(
    client: TestClient, sender: str, message: str, metadata: Any
) -> None:
    key = f"fuzz-{next(ids)}"
    body = {"sender": sender, "message": message, "metadata": metadata, "message_id": key}
    tried("rest: json messages", 2)
    # json.dumps escapes to ASCII: lone surrogates travel as "\\ud800", as a browser may send them.
    raw, headers = json.dumps(body), {"Content-Type": "application/json"}
    first = client.post("/webhooks/rest/webhook", content=raw, headers=headers)
    again = client.post("/webhooks/rest/webhook", content=raw, headers=headers)  # a client's retry
    for response in (first, again):
        assert_no_server_error(response.status_code, response.text)
    assert first.status_code == again.status_code
    if first.status_code == 422:
        assert inbound_count(Message.external_id == key) == 0
        return
    assert first.status_code == 200, first.text
    assert_polite_replies(first.json(), sender)
    assert again.json() == first.json()  # the retry gets the same replies
    assert inbound_count(Message.external_id == key) == 1  # stored once
    if sender.strip() and "\x00" not in sender:
        follow_up = client.post(
            "/webhooks/rest/webhook",
            content=json.dumps({"sender": sender, "message": "halo"}),
            headers=headers,
        )
        tried("rest: json messages")
        assert follow_up.status_code == 200
        assert_polite_replies(follow_up.json(), sender)


@settings(max_examples=80)
@given(
    body=st.one_of(
        st.binary(max_size=2000),
        json_values(40).map(lambda v: json.dumps(v).encode()),
        st.just(b'{"sender": "x", "message": "\xff\xfe invalid utf-8"}'),
        st.just(b'{"sender": "x", "message": "halo", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        st.just(b'{"sender": "x", "message": "halo"' + b', "k": 1' * 20_000 + b"}"),
    ),
    content_type=st.sampled_from(
        [
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "",
            "application/json; charset=latin-1",
        ]
    ),
)
def test_rest_raw_bodies_of_any_shape_are_refused_with_a_4xx(
    client: TestClient, body: bytes, content_type: str
) -> None:
    tried("rest: raw bodies")
    before = inbound_count()
    response = client.post("/webhooks/rest/webhook", content=body, headers={"Content-Type": content_type})
    assert_no_server_error(response.status_code, response.text)
    if response.status_code == 200:  # it happened to be a valid message
        assert inbound_count() == before + 1
    else:
        assert 400 <= response.status_code < 500
        assert inbound_count() == before


WHATSAPP_FIELDS = [
    "AccountSid",
    "From",
    "To",
    "Body",
    "NumMedia",
    "MediaUrl0",
    "MediaContentType0",
    "Latitude",
    "Longitude",
    "ButtonPayload",
    "ProfileName",
    "WaId",
]


@settings(max_examples=150)
@given(
    fields=st.dictionaries(
        st.one_of(st.sampled_from(WHATSAPP_FIELDS), form_text().filter(lambda k: "MessageSid" not in k)),
        form_text(),
        max_size=12,
    ),
    body=form_text(),
    num_media=st.one_of(st.just("0"), st.just("1"), form_text()),
    sid_tail=st.one_of(st.just(""), form_text()),
)
def test_whatsapp_signed_random_forms_get_200_or_400_and_are_stored_once(
    client: TestClient,
    twilio: FakeTwilio,
    fields: dict[str, str],
    body: str,
    num_media: str,
    sid_tail: str,
) -> None:
    sid = f"SMfuzz{next(ids):026d}{sid_tail}"  # unique per example, of any shape after that
    params = {
        "MessageSid": sid,
        "AccountSid": twilio.account_sid,
        "From": "whatsapp:+6281322740915",
        "To": SHOP,
        "Body": body,
        "NumMedia": num_media,
        **fields,
    }
    signature = twilio.sign(PUBLIC + "/webhooks/whatsapp", params)
    tried("whatsapp: signed forms", 2)
    responses = [
        client.post("/webhooks/whatsapp", data=params, headers={"X-Twilio-Signature": signature})
        for _ in range(2)
    ]
    for response in responses:
        assert_no_server_error(response.status_code, response.text)
        assert response.status_code in (200, 400, 403), response.text
    assert responses[0].status_code == responses[1].status_code
    stored = inbound_count(Message.external_id == clean_text(sid))  # control characters are dropped
    assert stored == (1 if responses[0].status_code == 200 else 0)  # a retried delivery is stored once
    tried("whatsapp: unsigned forms")
    forged = client.post(
        "/webhooks/whatsapp",
        data={**params, "MessageSid": sid + "x"},
        headers={"X-Twilio-Signature": signature},
    )
    assert forged.status_code == 403
    assert inbound_count(Message.external_id == clean_text(sid + "x")) == 0


def frames() -> st.SearchStrategy[tuple[str, Any]]:
    text_message = st.builds(
        lambda text, extra: {"type": "message", "text": text, "client_id": f"f-{next(ids)}", **extra},
        messages(),
        st.dictionaries(st.sampled_from(["media", "brand", "token"]), json_values(5), max_size=2),
    )
    return st.one_of(
        text_message.map(lambda f: ("json", f)),
        json_values(30).map(lambda v: ("json", v)),
        st.fixed_dictionaries(
            {"type": st.sampled_from(["message", "hello", "typing", "ack"])},
            optional={"text": json_values(3), "client_id": json_values(3)},
        ).map(lambda f: ("json", f)),
        st.text(max_size=500).map(lambda t: ("text", t)),
        st.just(("text", "{" * 100_001)),
        st.binary(max_size=500).map(lambda b: ("bytes", b)),
    )


@settings(max_examples=150)
@given(frame=frames())
def test_widget_any_frame_gets_an_ack_or_an_error_and_the_socket_stays_usable(
    ws: WebSocketTestSession, frame: tuple[str, Any]
) -> None:
    kind, value = frame
    tried("widget: frames")
    if kind == "bytes":
        ws.send_bytes(value)
    else:
        ws.send_text(json.dumps(value) if kind == "json" else value)
    reply = ws.receive_json()
    assert reply["type"] in ("ack", "error"), reply
    if reply["type"] == "error":
        assert "Kak" in reply["text"]
    else:
        assert inbound_count(Message.external_id == f"w:{value['client_id']}") == 1
        until_typing_stops(ws)
    ws.send_json({"type": "message", "text": "halo", "client_id": f"ok-{next(ids)}"})
    assert ws.receive_json()["type"] == "ack"
    until_typing_stops(ws)


@settings(max_examples=60)
@given(
    token=json_values(3), brand=json_values(3), after=st.one_of(json_values(3), st.integers(min_value=2**62))
)
def test_widget_any_hello_gets_a_welcome(client: TestClient, token: Any, brand: Any, after: Any) -> None:
    tried("widget: hello frames")
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"type": "hello", "token": token, "brand": brand, "after": after})
        assert socket.receive_json()["type"] == "welcome"
