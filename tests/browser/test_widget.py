"""The widget as a customer uses it: the demo shop page in headless chromium against a running gateway."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, WebSocketRoute, expect

from tests.browser.conftest import SCREENSHOTS, XSS, Gateway
from tests.fakes.rasa_server import FakeRasa

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


def tiny_png() -> bytes:
    """A valid 2x2 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def open_widget(page: Page, gateway: Gateway) -> None:
    page.goto(f"{gateway.url}/demo")
    page.get_by_role("button", name="Chat dengan kami").click()
    expect(page.get_by_role("dialog", name="Chat dengan Asisten CS")).to_be_visible()


def say(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Tulis pesan")
    box.fill(text)
    box.press("Enter")


def bot_texts(page: Page) -> Locator:
    return page.locator(".log .msg.bot .text")


def my_texts(page: Page) -> Locator:
    return page.locator(".log .msg.me .text")


def test_chat_quick_reply_photo_and_the_history_after_a_reload(page: Page, gateway: Gateway, tmp_path: Path):
    open_widget(page, gateway)
    expect(page.get_by_role("textbox", name="Tulis pesan")).to_be_focused()

    say(page, "halo")
    expect(bot_texts(page)).to_have_text(["Halo Kak, ada yang bisa kami bantu?"])
    expect(page.locator(".quick button")).to_have_text(["Cek pesanan", "Ajukan komplain"])

    page.get_by_role("button", name="Cek pesanan").click()  # Rasa gets the payload (see widget_reply)
    expect(my_texts(page)).to_have_text(["halo", "Cek pesanan"])
    expect(bot_texts(page).last).to_have_text("Baik Kak, boleh kirim nomor pesanannya?")
    expect(page.locator(".quick")).to_have_count(0)

    photo = tmp_path / "barang-rusak.png"
    photo.write_bytes(tiny_png())
    page.get_by_role("textbox", name="Tulis pesan").fill("ini fotonya")
    page.locator('input[type="file"]').set_input_files(photo)
    expect(bot_texts(page).last).to_have_text("Foto diterima (PNG), terima kasih Kak.")
    expect(my_texts(page).last).to_have_text("ini fotonya")
    expect(page.locator(".msg.me").last.get_by_role("img", name="Foto yang Kakak kirim")).to_be_visible()
    expect(page.locator(".msg.pending")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "widget.png")

    page.reload()
    page.get_by_role("button", name="Chat dengan kami").click()
    expect(my_texts(page)).to_have_text(["halo", "Cek pesanan", "ini fotonya"])
    expect(bot_texts(page)).to_have_text(
        [
            "Halo Kak, ada yang bisa kami bantu?",
            "Baik Kak, boleh kirim nomor pesanannya?",
            "Foto diterima (PNG), terima kasih Kak.",
        ]
    )
    expect(page.locator(".msg.me").last.locator(".chip")).to_have_text("Foto")


def test_bot_markup_stays_text_and_only_http_links_become_links(page: Page, gateway: Gateway):
    open_widget(page, gateway)
    say(page, "xss")
    expect(bot_texts(page).last).to_have_text(XSS)
    say(page, XSS)
    expect(bot_texts(page).last).to_have_text(f"Kamu bilang: {XSS}")
    expect(my_texts(page).last).to_have_text(XSS)

    say(page, "tautan")
    expect(bot_texts(page).last).to_have_text("Ini gambarnya.")
    link = page.locator(".msg.bot a")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "https://bantuan.example.co.id/retur")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(page.locator(".log img")).to_have_count(0)  # neither the markup nor the javascript: image
    assert page.evaluate("window.__xss") is None


def test_keyboard_only_use(page: Page, gateway: Gateway):
    page.goto(f"{gateway.url}/demo")
    launcher = page.get_by_role("button", name="Chat dengan kami")
    launcher.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Chat dengan Asisten CS")
    expect(dialog).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("textbox", name="Tulis pesan")).to_be_focused()
    expect(page.get_by_role("log")).to_have_attribute("aria-live", "polite")
    page.keyboard.type("halo")
    page.keyboard.press("Enter")
    expect(bot_texts(page)).to_have_text(["Halo Kak, ada yang bisa kami bantu?"])
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_full_screen_on_a_phone_and_files_checked_before_upload(browser: Browser, gateway: Gateway):
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True)
    try:
        page = context.new_page()
        open_widget(page, gateway)
        box = page.get_by_role("dialog", name="Chat dengan Asisten CS").bounding_box()
        assert box == {"x": 0, "y": 0, "width": 375, "height": 667}

        say(page, "halo")  # connected, with a session
        expect(bot_texts(page)).to_have_count(1)
        file_input = page.locator('input[type="file"]')
        file_input.set_input_files(
            {"name": "animasi.gif", "mimeType": "image/gif", "buffer": b"GIF89a" + bytes(10)}
        )
        expect(page.locator(".notice").last).to_have_text(
            "Maaf Kak, yang bisa dikirim hanya foto JPG, PNG atau WebP ya."
        )
        big = tiny_png() + bytes(10_000_001)
        file_input.set_input_files({"name": "besar.png", "mimeType": "image/png", "buffer": big})
        expect(page.locator(".notice").last).to_have_text(
            "Maaf Kak, fotonya terlalu besar (maksimal 10 MB). Boleh dikirim yang lebih kecil?"
        )
        expect(page.locator(".msg.me")).to_have_count(1)  # nothing was sent
    finally:
        context.close()


PHONES = [(360, 640), (390, 844)]


@pytest.mark.parametrize(("width", "height"), PHONES, ids=[f"{w}x{h}" for w, h in PHONES])
def test_on_a_phone_nothing_covers_the_composer_and_a_first_visit_opens_on_a_greeting(
    browser: Browser, gateway: Gateway, tmp_path: Path, width: int, height: int
):
    """A touch phone: the launcher hides while the chat is full screen, so a tap on "Kirim" sends (it used
    to hit the launcher); a first visit starts with a greeting and the main choices, a quick reply and a
    photo go out by tapping, and the panel shrinks with the on-screen keyboard (the visual viewport)."""
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True)
    shots = f"widget-phone-{width}x{height}"
    try:
        page = context.new_page()
        page.goto(f"{gateway.url}/demo")
        page.get_by_role("button", name="Chat dengan kami").tap()
        dialog = page.get_by_role("dialog", name="Chat dengan Asisten CS")
        expect(dialog).to_be_visible()
        assert dialog.bounding_box() == {"x": 0, "y": 0, "width": width, "height": height}
        expect(page.locator(".launcher")).to_be_hidden()
        expect(page.locator(".msg.greeting")).to_contain_text("Ada yang bisa saya bantu?")
        expect(page.locator(".quick button")).to_have_text(
            ["Cek status pesanan", "Ajukan retur barang", "Buat pengaduan", "Bicara dengan CS"]
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{shots}-greeting.png")

        page.get_by_role("button", name="Cek status pesanan").tap()
        expect(my_texts(page)).to_have_text(["Cek status pesanan"])
        expect(bot_texts(page)).to_have_count(1)
        expect(page.locator(".msg.greeting")).to_have_count(1)  # kept above, not stored

        page.get_by_role("textbox", name="Tulis pesan").fill("halo")
        page.get_by_role("button", name="Kirim").tap()
        expect(my_texts(page)).to_have_text(["Cek status pesanan", "halo"])

        photo = tmp_path / "retak.png"
        photo.write_bytes(tiny_png())
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="Lampirkan foto").tap()
        chooser.value.set_files(photo)
        expect(bot_texts(page).last).to_have_text("Foto diterima (PNG), terima kasih Kak.")
        expect(page.locator(".msg.me").last.get_by_role("img", name="Foto yang Kakak kirim")).to_be_visible()
        page.screenshot(path=SCREENSHOTS / f"{shots}-photo.png")

        # the keyboard takes the lower part of the screen: the panel fits the visual viewport
        above_keyboard = round(height * 0.6)
        page.evaluate(
            """(px) => {
                const root = document.querySelector("#asisten-cs-widget").shadowRoot.querySelector(".root");
                root.style.setProperty("--acs-height", px + "px");
            }""",
            above_keyboard,
        )
        box = dialog.bounding_box()
        assert box is not None
        assert box["height"] == above_keyboard
        send = page.get_by_role("button", name="Kirim", exact=True).bounding_box()
        assert send is not None
        assert send["y"] + send["height"] <= above_keyboard
        page.screenshot(path=SCREENSHOTS / f"{shots}-keyboard.png")

        page.get_by_role("button", name="Tutup chat").tap()
        expect(page.locator(".launcher")).to_be_visible()
    finally:
        context.close()


def test_reconnects_after_a_restart_and_delivers_a_message_queued_meanwhile_once(
    page: Page, gateway: Gateway, rasa: FakeRasa
):
    open_widget(page, gateway)
    say(page, "halo")
    expect(bot_texts(page)).to_have_count(1)

    gateway.stop()
    status = page.get_by_role("status")
    expect(status).to_have_text("Menghubungkan ulang…")
    say(page, "pesan waktu server mati")
    expect(page.locator(".msg.pending")).to_have_count(1)
    page.wait_for_timeout(1_500)  # a reconnect attempt or two fail meanwhile

    gateway.start()
    expect(bot_texts(page).last).to_have_text("Kamu bilang: pesan waktu server mati", timeout=30_000)
    expect(page.locator(".msg.pending")).to_have_count(0)
    expect(status).to_be_hidden()  # the status line is empty once connected
    assert gateway.inbound_texts().count("pesan waktu server mati") == 1
    assert [r["message"] for r in rasa.received].count("pesan waktu server mati") == 1

    page.reload()
    page.get_by_role("button", name="Chat dengan kami").click()
    expect(bot_texts(page)).to_have_count(2)
    expect(my_texts(page)).to_have_text(["halo", "pesan waktu server mati"])


def test_the_handoff_line_and_messages_from_cs(page: Page, gateway: Gateway):
    """The widget's side of the handoff, with the gateway's socket played by the test: the state in the
    welcome (after a reload) and in "state" frames, and a human agent's message labelled "CS"."""
    sockets: list[WebSocketRoute] = []

    def gateway_socket(ws: WebSocketRoute) -> None:
        sockets.append(ws)

        def on_message(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame["type"] == "hello":
                welcome = {"type": "welcome", "token": "t" * 43, "history": [], "state": "waiting_agent"}
                ws.send(json.dumps(welcome | {"agent": None}))
            elif frame["type"] == "message":
                ws.send(json.dumps({"type": "ack", "client_id": frame["client_id"], "id": 1}))
                ws.send(json.dumps({"type": "state", "state": "with_agent", "agent": "Dewi"}))
                reply = {"id": 2, "author": "agent:dewi", "text": "Halo Kak, saya Dewi.", "created_at": ""}
                ws.send(json.dumps({"type": "message"} | reply))

        ws.on_message(on_message)

    page.route_web_socket(re.compile(r"/ws/chat$"), gateway_socket)
    open_widget(page, gateway)
    handoff = page.locator(".handoff")
    expect(handoff).to_have_text("Menunggu CS…")
    expect(page.get_by_role("status").filter(has_text="Menunggu CS…")).to_have_count(1)
    say(page, "halo")
    expect(handoff).to_have_text("Kakak sedang terhubung dengan CS Dewi")
    bubble = page.locator(".log .msg.agent")
    expect(bubble.locator(".from")).to_have_text("CS")
    expect(bubble.locator(".text")).to_have_text("Halo Kak, saya Dewi.")
    expect(page.locator(".log .msg.bot")).to_have_count(0)
    sockets[-1].send(json.dumps({"type": "state", "state": "closed", "agent": None}))
    expect(handoff).to_have_text("")
    expect(handoff).to_be_hidden()
