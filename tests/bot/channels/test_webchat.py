"""The web widget's channel through the real gateway (TestClient), with Rasa played by a local HTTP server."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.testclient import WebSocketTestSession

from bot.app import create_app
from bot.channels.webchat import EMPTY_TEXT, MALFORMED_TEXT, NOT_READY_TEXT, TOO_LONG_TEXT
from bot.config import Settings
from bot.conversations.texts import BOT_UNAVAILABLE_TEXT, MEDIA_ONLY_TEXT
from bot.conversations.types import Reply
from bot.store import db
from bot.store.models import Conversation, Message
from tests.bot.conftest import unused_port
from tests.fakes.media_server import EXE, JPEG, PNG
from tests.fakes.rasa_server import FakeRasa

pytestmark = pytest.mark.timeout(60)

MAX_BYTES = 50_000
UPLOADS = "http://127.0.0.1:8000/media/uploads/"


@pytest.fixture
def settings(database_url: str, rasa: FakeRasa, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        rasa_url=rasa.url,
        action_server_port=unused_port(),
        gateway_port=8000,
        upload_dir=tmp_path / "uploads",
        evidence_max_bytes=MAX_BYTES,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # A loopback client address, as the action server fetching an upload has.
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as test_client:
        yield test_client


def hello(ws: WebSocketTestSession, token: str | None = None, *, brand: Any = None, after: Any = 0) -> dict:
    ws.send_json({"type": "hello", "token": token, "brand": brand, "after": after})
    welcome = ws.receive_json()
    assert welcome["type"] == "welcome"
    return welcome


def until_typing_stops(ws: WebSocketTestSession) -> list[dict]:
    """Frames up to the end of the bot's turn (`typing` off)."""
    frames = []
    while True:
        frame = ws.receive_json()
        frames.append(frame)
        if frame == {"type": "typing", "on": False}:
            return frames


def say(ws: WebSocketTestSession, text: str, client_id: str, **extra: Any) -> list[dict]:
    ws.send_json({"type": "message", "text": text, "client_id": client_id, **extra})
    return until_typing_stops(ws)


def of_type(frames: list[dict], kind: str) -> list[dict]:
    return [f for f in frames if f["type"] == kind]


def rows(model: type, *where: Any) -> list[Any]:
    with db.session_scope() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))


def upload(client: TestClient, token: str, body: bytes, name: str = "foto.jpg", kind: str = "image/jpeg"):
    return client.post(
        "/api/widget/upload", files={"file": (name, body, kind)}, headers={"X-Widget-Token": token}
    )


def test_hello_without_a_token_gets_a_new_one_and_stores_nothing_yet(client):
    with client.websocket_connect("/ws/chat") as ws:
        welcome = hello(ws)
    assert isinstance(welcome["token"], str)
    assert len(welcome["token"]) >= 43
    assert welcome["history"] == []
    assert rows(Conversation) == []


def test_a_message_is_acknowledged_stored_and_answered_through_the_socket(client, rasa):
    with client.websocket_connect("/ws/chat") as ws:
        token = hello(ws, brand="aksestoko")["token"]
        frames = say(ws, "halo", "c-1")

    ack, typing_on, reply, typing_off = frames
    assert ack["type"] == "ack"
    assert ack["client_id"] == "c-1"
    assert typing_on == {"type": "typing", "on": True}
    assert typing_off == {"type": "typing", "on": False}
    assert reply["type"] == "message"
    assert reply["author"] == "bot"
    assert reply["text"] == "Halo Kak, ada yang bisa kami bantu?"
    assert [b["title"] for b in reply["buttons"]] == ["Cek pesanan", "Ajukan komplain"]

    key = hashlib.sha256(token.encode()).hexdigest()
    [conversation] = rows(Conversation)
    assert (conversation.channel, conversation.external_id, conversation.brand) == (
        "widget",
        key,
        "aksestoko",
    )
    inbound, outbound = rows(Message)
    assert (inbound.id, inbound.external_id, inbound.text, inbound.status) == (
        ack["id"],
        "w:c-1",
        "halo",
        "answered",
    )
    assert (outbound.id, outbound.direction, outbound.text) == (reply["id"], "out", reply["text"])
    [sent] = rasa.received
    assert sent["sender"] == conversation.public_id
    assert sent["metadata"] == {"channel": "widget", "widget_session": key[:16], "brand": "aksestoko"}
    assert token not in str(sent)
    assert all(token not in (m.text or "") for m in rows(Message))


def test_a_quick_reply_title_reaches_rasa_as_its_payload(client, rasa):
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        say(ws, "halo", "c-1")
        frames = say(ws, "Cek pesanan", "c-2")
    assert rasa.received[-1]["message"] == "/check_order_status"
    assert of_type(frames, "message")[0]["text"] == "Kamu bilang: /check_order_status"
    assert rows(Message, Message.external_id == "w:c-2")[0].text == "Cek pesanan"  # what the customer saw


def test_the_same_client_id_is_stored_and_answered_once(client, rasa):
    with client.websocket_connect("/ws/chat") as ws:
        token = hello(ws)["token"]
        first = say(ws, "pesanan saya belum datang", "c-1")
        again = say(ws, "pesanan saya belum datang", "c-1")
    with client.websocket_connect("/ws/chat") as ws:  # the browser resends its queue after a reconnect
        hello(ws, token, after=10_000)
        after_reconnect = say(ws, "pesanan saya belum datang", "c-1")

    [ack] = of_type(first, "ack")
    assert of_type(again, "ack") == [ack]
    assert of_type(after_reconnect, "ack") == [ack]
    assert of_type(again, "message") == []
    assert of_type(after_reconnect, "message") == []
    assert len(rasa.received) == 1
    assert [m.direction for m in rows(Message)] == ["in", "out"]


def test_reconnecting_with_the_token_restores_the_history_after_the_last_seen_id(client):
    with client.websocket_connect("/ws/chat") as ws:
        token = hello(ws)["token"]
        first = say(ws, "halo", "c-1")
        second = say(ws, "terima kasih", "c-2")
    ids = [f["id"] for f in first + second if f["type"] in ("ack", "message")]

    with client.websocket_connect("/ws/chat") as ws:
        everything = hello(ws, token, after=0)
    assert everything["token"] == token
    assert [v["id"] for v in everything["history"]] == ids
    assert [v["author"] for v in everything["history"]] == ["customer", "bot", "customer", "bot"]
    assert [v["text"] for v in everything["history"]] == [
        "halo",
        "Halo Kak, ada yang bisa kami bantu?",
        "terima kasih",
        "Kamu bilang: terima kasih",
    ]
    assert everything["history"][1]["buttons"][0]["payload"] == "/check_order_status"

    with client.websocket_connect("/ws/chat") as ws:
        newer = hello(ws, token, after=ids[1])
    assert [v["id"] for v in newer["history"]] == ids[2:]


def test_an_unknown_token_is_replaced_and_a_bad_brand_ignored(client, rasa):
    forged = "A" * 43
    with client.websocket_connect("/ws/chat") as ws:
        welcome = hello(ws, forged, brand="shopee", after="x")
        say(ws, "halo", "c-1")
    assert welcome["token"] != forged
    [conversation] = rows(Conversation)
    assert conversation.external_id == hashlib.sha256(welcome["token"].encode()).hexdigest()
    assert conversation.brand is None
    assert "brand" not in rasa.received[0]["metadata"]


def test_bad_frames_get_an_error_and_the_socket_stays_usable(client):
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "message", "text": "halo", "client_id": "c-0"})
        # Not refused for what it says, so no client_id: the widget keeps it queued.
        assert ws.receive_json() == {"type": "error", "code": "not_ready", "text": NOT_READY_TEXT}
        hello(ws)
        ws.send_text("{not json")
        assert ws.receive_json() == {"type": "error", "code": "malformed", "text": MALFORMED_TEXT}
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_json()["code"] == "malformed"
        for frame in ({"type": "subscribe"}, ["hello"], {"type": "hello", "token": None}):
            ws.send_json(frame)
            assert ws.receive_json()["code"] == "malformed"
        ws.send_json({"type": "message", "text": "halo", "client_id": "bukan id yang sah"})
        assert ws.receive_json()["code"] == "malformed"
        ws.send_json({"type": "message", "text": " \n\t ", "client_id": "c-1"})
        assert ws.receive_json() == {"type": "error", "code": "empty", "text": EMPTY_TEXT, "client_id": "c-1"}
        ws.send_json({"type": "message", "text": "a" * 4001, "client_id": "c-2"})
        assert ws.receive_json() == {
            "type": "error",
            "code": "too_long",
            "text": TOO_LONG_TEXT,
            "client_id": "c-2",
        }
        ws.send_json({"type": "message", "text": 42, "client_id": "c-3"})
        assert ws.receive_json()["code"] == "malformed"

        frames = say(ws, "a" * 4000, "c-4")
    assert of_type(frames, "ack")[0]["client_id"] == "c-4"
    assert [m.external_id for m in rows(Message, Message.direction == "in")] == ["w:c-4"]
    assert "Kak" in EMPTY_TEXT
    assert "Kak" in TOO_LONG_TEXT
    assert "Kak" in MALFORMED_TEXT


def test_every_socket_of_the_conversation_gets_the_replies_and_agent_messages(client):
    with client.websocket_connect("/ws/chat") as phone, client.websocket_connect("/ws/chat") as laptop:
        token = hello(phone)["token"]
        say(phone, "halo", "c-1")
        hello(laptop, token, after=10_000)
        say(phone, "ada promo?", "c-2")
        assert laptop.receive_json()["text"] == "Kamu bilang: ada promo?"

        [conversation] = rows(Conversation)
        router = client.app.state.router
        client.portal.call(
            router.send_to_customer, conversation.public_id, "agent", [Reply(text="Halo, Dewi.")]
        )
        for ws in (phone, laptop):
            pushed = ws.receive_json()
            assert (pushed["type"], pushed["author"], pushed["text"]) == ("message", "agent", "Halo, Dewi.")


def test_when_rasa_is_down_the_apology_is_pushed_and_the_message_kept(client, rasa):
    rasa.down = True
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        frames = say(ws, "halo", "c-1")
    [apology] = of_type(frames, "message")
    assert (apology["author"], apology["text"]) == ("system", BOT_UNAVAILABLE_TEXT)
    assert rows(Message, Message.direction == "in")[0].status == "bot_unavailable"


# --- uploads -----------------------------------------------------------------------------------------------


@pytest.fixture
def token(client: TestClient) -> str:
    with client.websocket_connect("/ws/chat") as ws:
        return hello(ws)["token"]


def stored_uploads(settings: Settings) -> list[Path]:
    return sorted(settings.upload_dir.glob("*")) if settings.upload_dir.exists() else []


def test_a_jpeg_upload_is_kept_under_a_random_name_and_served_to_loopback_only(client, token, settings):
    response = upload(client, token, JPEG)
    assert response.status_code == 201
    body = response.json()
    assert body["content_type"] == "image/jpeg"
    assert body["url"].startswith(UPLOADS)
    name = body["url"].removeprefix(UPLOADS)
    key = hashlib.sha256(token.encode()).hexdigest()
    assert name.startswith(key[:16] + "-")
    assert name.endswith(".jpg")
    assert len(name) > 16 + 1 + 32
    assert [p.name for p in stored_uploads(settings)] == [name]
    assert response.headers["Access-Control-Allow-Origin"] == "*"

    served = client.get(f"/media/uploads/{name}")
    assert served.status_code == 200
    assert served.content == JPEG
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    elsewhere = TestClient(client.app, client=("203.0.113.7", 40000))  # the same app seen from outside
    assert elsewhere.get(f"/media/uploads/{name}").status_code == 404
    assert upload(client, token, PNG, "layar.png", "image/png").json()["content_type"] == "image/png"


@pytest.mark.parametrize(
    "path", ["../app.db", "..%2F..%2Fetc%2Fpasswd", "x.jpg", "0" * 16 + "-" + "a" * 32 + ".exe"]
)
def test_uploads_are_served_by_strict_names_only(client, path):
    assert client.get(f"/media/uploads/{path}").status_code == 404


def test_uploads_refuse_executables_big_files_and_strangers(client, token, settings):
    assert upload(client, token, EXE).status_code == 415  # an .exe renamed .jpg
    assert upload(client, token, JPEG, "lagu.mp3", "audio/mpeg").status_code == 415
    assert upload(client, token, JPEG + b"\x00" * MAX_BYTES).status_code == 413  # caught while parsing
    huge = JPEG + b"\x00" * (MAX_BYTES * 4)
    assert upload(client, token, huge).status_code == 413  # caught by Content-Length

    def chunks() -> Iterator[bytes]:  # no Content-Length: caught while reading
        yield b"--b\r\nContent-Disposition: form-data; name=file; filename=a.jpg\r\n"
        yield b"Content-Type: image/jpeg\r\n\r\n" + JPEG
        for _ in range(20):
            yield b"\x00" * 10_000

    streamed = client.post(
        "/api/widget/upload",
        content=chunks(),
        headers={"X-Widget-Token": token, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert streamed.status_code == 413

    assert upload(client, "A" * 43, JPEG).status_code == 401
    assert client.post("/api/widget/upload", files={"file": ("a.jpg", JPEG, "image/jpeg")}).status_code == 401
    assert (
        client.post("/api/widget/upload", json={"file": "x"}, headers={"X-Widget-Token": token}).status_code
        == 415
    )
    missing = client.post(
        "/api/widget/upload", files={"foto": ("a.jpg", JPEG)}, headers={"X-Widget-Token": token}
    )
    assert missing.status_code == 400
    for response in (upload(client, token, EXE), missing):
        assert isinstance(response.json()["detail"], str)
    assert stored_uploads(settings) == []  # nothing refused is kept (no .part files either)
    preflight = client.options("/api/widget/upload")
    assert preflight.status_code == 204
    assert "X-Widget-Token" in preflight.headers["Access-Control-Allow-Headers"]


def test_a_message_carries_only_media_this_session_uploaded(client, rasa, token):
    own = upload(client, token, JPEG).json()
    with client.websocket_connect("/ws/chat") as ws:
        stranger = hello(ws)["token"]
    foreign = upload(client, stranger, PNG, "b.png", "image/png").json()

    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, token)
        photo_only = say(ws, "", "c-1", media=[{"url": own["url"], "content_type": "text/html"}])
        say(
            ws,
            "ini fotonya",
            "c-2",
            media=[
                {"url": foreign["url"], "content_type": "image/png"},
                {"url": "http://169.254.169.254/latest/meta-data", "content_type": "image/jpeg"},
                {"url": UPLOADS + "../../app.db", "content_type": "image/jpeg"},
                "not-an-object",
            ],
        )
        ws.send_json({"type": "message", "text": "", "client_id": "c-3", "media": [{"url": foreign["url"]}]})
        assert ws.receive_json()["code"] == "empty"

    assert of_type(photo_only, "ack")
    first, second = rasa.received
    assert first["message"] == MEDIA_ONLY_TEXT
    assert first["metadata"]["media"] == [{"url": own["url"], "content_type": "image/jpeg"}]
    assert second["message"] == "ini fotonya"
    assert "media" not in second["metadata"]
    stored = rows(Message, Message.direction == "in")
    assert [m.text for m in stored] == [MEDIA_ONLY_TEXT, "ini fotonya"]
    with client.websocket_connect("/ws/chat") as ws:
        history = hello(ws, token)["history"]
    assert history[0]["media"] == [{"content_type": "image/jpeg"}]
    assert "url" not in str(history)


# --- the script and the demo page ---------------------------------------------------------------------------


def test_widget_js_is_cacheable_and_revalidated(client):
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cache-control"] == "public, max-age=300"
    etag, modified = response.headers["etag"], response.headers["last-modified"]
    assert etag.startswith('"')
    assert modified.endswith("GMT")
    assert client.get("/widget.js", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/widget.js", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/widget.js", headers={"If-Modified-Since": modified}).status_code == 304
    script = response.text
    assert "attachShadow" in script
    assert "/ws/chat" in script
    for parses_html in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert parses_html not in script  # message content is never parsed as HTML


def test_the_demo_shop_page_embeds_the_widget_with_one_tag(client):
    response = client.get("/demo")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Toko Contoh" in response.text
    assert '<script src="/widget.js" data-server="" data-brand="aksestoko" async></script>' in response.text


@pytest.mark.usefixtures("one_rate_window")
def test_a_session_over_the_limit_is_told_when_to_resend_and_nothing_is_stored(settings, rasa):
    limited = settings.model_copy(update={"rate_limit_per_sender": 2})
    with TestClient(create_app(limited)) as client, client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        say(ws, "satu", "c-1")
        say(ws, "dua", "c-2")
        ws.send_json({"type": "message", "text": "tiga", "client_id": "c-3"})
        refused = ws.receive_json()
        assert refused["type"] == "error"
        assert refused["code"] == "rate_limited"
        assert refused["client_id"] == "c-3"
        assert 1 <= refused["retry_after"] <= 60
        assert "Kak" in refused["text"]
    assert [m.text for m in rows(Message, Message.direction == "in")] == ["satu", "dua"]
    assert [m["message"] for m in rasa.received] == ["satu", "dua"]


@pytest.mark.usefixtures("one_rate_window")
def test_uploads_over_the_limit_are_429_with_retry_after_and_not_kept(settings):
    limited = settings.model_copy(update={"rate_limit_per_sender": 2})
    with TestClient(create_app(limited), client=("203.0.113.7", 40000)) as client:
        with client.websocket_connect("/ws/chat") as ws:
            token = hello(ws)["token"]
        assert [upload(client, token, JPEG).status_code for _ in range(2)] == [201, 201]
        refused = upload(client, token, JPEG)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert len(stored_uploads(limited)) == 2
