"""The human handoff as an agent and a customer live it: the widget on the demo page in one browser context,
the agent console at /agent in another, against a running gateway and a fake Rasa."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.ops.seed import seed_agents, seed_orders
from bot.services.complaints import file_complaint
from bot.store import db
from bot.store.models import Conversation, ReturnRequest
from tests.browser.conftest import HANDOFF_REQUEST, SCREENSHOTS, XSS, Gateway
from tests.browser.test_widget import open_widget, say
from tests.factories import Week
from tests.fakes.rasa_server import FakeRasa

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

AGENT, AGENT_PASSWORD, AGENT_NAME = "dewi", "dewi-demo-123", "Dewi"  # bot.ops.seed's demo agents
REPLY = "Halo Kak, saya Dewi dari tim CS. Pesanan Kakak sedang kami cek ya."
NOTE = "Catatan: pelanggan sudah dua kali tanya, mohon cek ke gudang."


SITI = "+6281322740915"  # the demo customer of order UK-2611-008170 (bot/demo/orders.yaml)


@pytest.fixture(scope="module")
def agents(gateway: Gateway) -> None:
    engine = db.make_engine(gateway.database_url)
    try:
        with Session(engine) as session:
            seed_agents(session)
            seed_orders(session)
            session.commit()
    finally:
        engine.dispose()


def give_cases(gateway: Gateway) -> tuple[str, str]:
    """A return request and a complaint ticket of Siti's, filed in the newest waiting widget conversation (as
    the return and complaint forms would have); their numbers."""
    engine = db.make_engine(gateway.database_url)
    try:
        with Session(engine) as session:
            conversation_id = session.scalars(
                select(Conversation.public_id)
                .where(Conversation.channel == "widget", Conversation.state == "waiting_agent")
                .order_by(Conversation.id.desc())
            ).first()
            assert conversation_id is not None
            request = ReturnRequest(
                number="RTR-2612-TEST1",
                status="diajukan",
                attempt=1,
                order_id="UK-2611-008170",
                brand="usahaku99",
                item_sku="SMN-GRS-40",
                item_name="Semen Gresik 40 kg",
                quantity_reported=3,
                description="Tiga sak semen sobek.",
                channel="widget",
                customer_phone=SITI,
                conversation_id=conversation_id,
            )
            session.add(request)
            complaint = file_complaint(
                session,
                customer_name="Siti Rahmawati",
                customer_phone=SITI,
                description="Barang datang rusak dan belum ada kabar.",
                channel="widget",
                order_id="UK-2611-008170",
                conversation_id=conversation_id,
            )
            session.commit()
            return request.number, complaint.number
    finally:
        engine.dispose()


def new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def customer(browser: Browser) -> Iterator[Page]:
    context = new_context(browser)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def console(browser: Browser, agents: None) -> Iterator[Page]:
    """The agent's browser; page errors and CSP violations fail the test."""
    context = new_context(browser)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # /me before the login, wrong passwords and the rate limit answer 401 and 429 on purpose
        if message.type == "error" and not re.search(r"status of (401|429)", message.text):
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        yield page
        assert problems == []
    finally:
        context.close()


def log_in(page: Page, gateway: Gateway, password: str = AGENT_PASSWORD, username: str = AGENT) -> None:
    page.goto(f"{gateway.url}/agent")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def knowledge_index_ready(gateway: Gateway) -> bool:
    """Canned replies come from the help-centre index (`make index`); without it the console says so."""
    try:
        url = f"{gateway.url}/api/knowledge/search?q=retur&k=1"
        with urllib.request.urlopen(url, timeout=60):  # noqa: S310 - the test gateway
            return True
    except urllib.error.HTTPError:
        return False


def queue_item(page: Page) -> Locator:
    return page.locator("#conversation-list .item")


def transcript(page: Page) -> Locator:
    return page.get_by_role("log", name="Transkrip percakapan")


def test_an_agent_takes_over_replies_notes_and_hands_back_to_the_bot(
    customer: Page, console: Page, gateway: Gateway, rasa: FakeRasa
):
    # The agent logs in (a wrong password first) and watches an empty queue.
    log_in(console, gateway, password="salah-sekali")
    expect(console.locator("#login-error")).to_have_text("Username atau kata sandi salah")
    console.get_by_label("Kata sandi").fill(AGENT_PASSWORD)
    console.get_by_role("button", name="Masuk").click()
    expect(console.get_by_role("heading", name="Konsol CS", exact=True)).to_be_visible()
    expect(console.locator("#connection")).to_have_text("Terhubung")
    expect(console.get_by_role("tab", name="Antrean")).to_have_attribute("aria-selected", "true")

    # The customer asks for a human; the queue updates live (no reload).
    open_widget(customer, gateway)
    say(customer, HANDOFF_REQUEST)
    expect(customer.locator(".handoff")).to_have_text("Menunggu CS…")
    item = queue_item(console).filter(has_text="Minta CS")
    expect(item).to_have_count(1)
    expect(item.locator(".badge")).to_have_text("Web")
    expect(item).to_contain_text("Pengunjung web")
    expect(item.locator(".item-wait")).to_contain_text("menunggu")

    # "Ambil": the transcript, the state and the reason at the top; the customer is told.
    item.get_by_role("button", name="Ambil").click()
    expect(transcript(console).locator(".from-customer .text").first).to_have_text(HANDOFF_REQUEST)
    expect(console.locator("#chat-state")).to_have_text("Ditangani CS")
    expect(console.locator("#chat-reason")).to_have_text("Minta CS")
    expect(console.get_by_role("button", name="Ambil", exact=True)).to_be_disabled()
    expect(customer.locator(".handoff")).to_have_text(f"Kakak sedang terhubung dengan CS {AGENT_NAME}")

    # The reply reaches the widget, labelled as from CS.
    reply_box = console.get_by_role("textbox", name="Balasan untuk pelanggan")
    reply_box.fill(REPLY)
    reply_box.press("Enter")
    expect(transcript(console).locator(".from-agent .text").last).to_have_text(REPLY)
    agent_bubble = customer.locator(".log .msg.agent").last
    expect(agent_bubble.locator(".text")).to_have_text(REPLY)
    expect(agent_bubble.locator(".from")).to_have_text("CS")

    # Markup from the customer is text in the console, and never reaches Rasa while a human has it.
    say(customer, XSS)
    expect(transcript(console).locator(".from-customer .text").last).to_have_text(XSS)
    expect(console.locator("img")).to_have_count(0)
    assert console.evaluate("window.__xss") is None
    assert XSS not in [m["message"] for m in rasa.received]

    # An internal note: in the console, distinct, and never in the widget.
    console.get_by_role("button", name="Catatan internal", exact=True).click()
    note_box = console.get_by_role("textbox", name="Catatan internal (tidak dikirim ke pelanggan)")
    note_box.fill(NOTE)
    note_box.press("Enter")
    note = transcript(console).locator(".msg.note").last
    expect(note.locator(".text")).to_have_text(NOTE)
    expect(note).to_contain_text("Catatan internal")

    # "Kembalikan ke bot": the widget's next message is answered by the bot again.
    console.get_by_role("button", name="Kembalikan ke bot").click()
    expect(console.locator("#chat-state")).to_have_text("Dilayani bot")
    expect(customer.locator(".handoff")).to_have_text("")
    say(customer, "halo")
    expect(customer.locator(".log .msg.bot .text").last).to_have_text("Halo Kak, ada yang bisa kami bantu?")
    expect(customer.locator(".log")).not_to_contain_text(NOTE)
    expect(transcript(console).locator(".from-bot .text").last).to_have_text(
        "Halo Kak, ada yang bisa kami bantu?"
    )


def test_closing_sends_the_summary_and_the_widget_remembers_the_state_after_a_reload(
    customer: Page, console: Page, gateway: Gateway
):
    log_in(console, gateway)
    expect(console.locator("#connection")).to_have_text("Terhubung")
    open_widget(customer, gateway)
    say(customer, HANDOFF_REQUEST)
    expect(customer.locator(".handoff")).to_have_text("Menunggu CS…")
    customer.reload()  # the welcome frame carries the state
    expect(customer.locator(".handoff")).to_have_text("Menunggu CS…")

    item = queue_item(console).filter(has_text="Minta CS").first
    item.locator(".item-open").click()  # open it without taking it
    expect(console.locator("#chat-state")).to_have_text("Menunggu CS")
    expect(console.get_by_role("textbox", name="Balasan untuk pelanggan")).to_be_visible()
    expect(console.locator("#composer-send")).to_be_disabled()  # not yours yet
    console.locator("#act-claim").click()
    expect(console.locator("#chat-state")).to_have_text("Ditangani CS")
    expect(console.locator("#composer-send")).to_be_enabled()

    # Canned replies: search as you type, a click puts the answer into the reply box.
    console.get_by_label("Cari balasan cepat").fill("pembatalan pesanan")
    if knowledge_index_ready(gateway):
        first = console.locator("#canned-results .canned-item").first
        expect(first).to_be_visible(timeout=60_000)
        answer = first.locator(".canned-text").inner_text().removesuffix("…")
        first.click()
        reply_box = console.get_by_role("textbox", name="Balasan untuk pelanggan")
        expect(reply_box).to_be_focused()
        assert " ".join(reply_box.input_value().split()).startswith(" ".join(answer.split()))
        reply_box.fill("")
    else:
        expect(console.locator("#canned-results")).to_have_text("Balasan cepat sedang tidak tersedia.")

    console.get_by_role("button", name="Selesai", exact=True).click()
    summary = console.get_by_label("Ringkasan penutup (dikirim ke pelanggan)")
    expect(summary).to_have_value("Terima kasih sudah menghubungi kami, Kak. Ringkasan: ")
    summary.press("End")
    summary.press_sequentially("status pesanan sudah kami jelaskan.")
    console.get_by_role("button", name="Selesaikan").click()
    expect(console.locator("#chat-state")).to_have_text("Selesai")
    expect(console.locator("#act-close")).to_be_disabled()
    expect(customer.locator(".log")).to_contain_text("Ringkasan: status pesanan sudah kami jelaskan.")
    expect(customer.locator(".handoff")).to_have_text("")
    # the customer is asked for a rating and taps one
    expect(customer.locator(".log")).to_contain_text("Boleh minta penilaian Kakak")
    if not customer.get_by_role("dialog", name="Chat dengan Asisten CS").is_visible():
        customer.get_by_role("button", name="Chat dengan kami").click()
    customer.get_by_role("button", name="5 - Sangat puas").click()
    expect(customer.locator(".log")).to_contain_text("Terima kasih atas penilaiannya, Kak!")
    expect(console.locator("#chat-state")).to_have_text("Selesai")  # a rating does not reopen it


def test_the_console_asks_for_a_login_limits_attempts_and_logs_out(console: Page, gateway: Gateway):
    console.goto(f"{gateway.url}/agent")
    expect(console.get_by_role("heading", name="Masuk ke Konsol CS")).to_be_visible()
    expect(console.get_by_label("Username")).to_be_focused()
    console.get_by_label("Username").fill("tamu")
    error = console.locator("#login-error")
    for _ in range(5):  # login_max_failures per username
        console.get_by_label("Kata sandi").fill("bukan-sandinya")
        console.get_by_role("button", name="Masuk").click()
        expect(error).to_have_text("Username atau kata sandi salah")
        expect(console.get_by_role("button", name="Masuk")).to_be_enabled()
        console.evaluate("document.getElementById('login-error').textContent = ''")
    console.get_by_label("Kata sandi").fill("bukan-sandinya")
    console.get_by_role("button", name="Masuk").click()
    expect(error).to_have_text(re.compile(r"^Terlalu banyak percobaan, coba lagi dalam \d+ detik$"))
    log_in(console, gateway)
    expect(console.get_by_text(f"{AGENT_NAME} ({AGENT})")).to_be_visible()
    queue_tab = console.get_by_role("tab", name="Antrean")
    queue_tab.focus()
    console.keyboard.press("ArrowRight")  # tabs follow the ARIA pattern
    mine_tab = console.get_by_role("tab", name="Percakapan saya")
    expect(mine_tab).to_be_focused()
    expect(mine_tab).to_have_attribute("aria-selected", "true")
    expect(queue_tab).to_have_attribute("aria-selected", "false")
    expect(console.locator("#list-empty")).to_have_text("Belum ada percakapan yang Anda tangani.")
    console.reload()  # the session cookie and /me bring the console back
    expect(console.get_by_role("heading", name="Konsol CS", exact=True)).to_be_visible()
    console.get_by_role("button", name="Keluar").click()
    expect(console.get_by_role("heading", name="Masuk ke Konsol CS")).to_be_visible()
    console.reload()
    expect(console.get_by_role("heading", name="Masuk ke Konsol CS")).to_be_visible()


def test_the_customer_column_decides_a_return_extends_a_ticket_and_transfers(
    customer: Page, console: Page, gateway: Gateway
):
    open_widget(customer, gateway)
    say(customer, HANDOFF_REQUEST)
    expect(customer.locator(".handoff")).to_have_text("Menunggu CS…")
    return_number, ticket_number = give_cases(gateway)
    log_in(console, gateway)
    queue_item(console).filter(has_text="Minta CS").last.get_by_role("button", name="Ambil").click()
    expect(console.locator("#chat-state")).to_have_text("Ditangani CS")
    # the customer's notice, stored while the claim was answered, is in the transcript
    expect(transcript(console).locator(".from-system").last).to_contain_text(f"terhubung dengan {AGENT_NAME}")

    column = console.get_by_role("complementary", name="Pelanggan")
    orders = column.get_by_role("region", name="Pesanan")
    expect(orders).to_contain_text("UK-2611-008170")
    expect(orders).to_contain_text("Sedang Dikirim")
    expect(orders).to_contain_text("99% Usahaku")

    # Approve the return: outcome and accepted quantity; the customer is told in the widget.
    returns = column.get_by_role("region", name="Retur")
    expect(returns).to_contain_text(return_number)
    expect(returns).to_contain_text("diajukan")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=SCREENSHOTS / "console.png")
    returns.get_by_role("button", name="Setujui").click()
    dialog = console.get_by_role("dialog", name=f"Setujui retur {return_number}")
    expect(dialog.get_by_label("Jumlah yang diterima")).to_have_value("3")
    dialog.get_by_label("Hasil retur").select_option("potong_invoice")
    dialog.get_by_label("Jumlah yang diterima").fill("2")
    dialog.get_by_role("button", name="Setujui").click()
    expect(dialog).to_be_hidden()
    expect(returns).to_contain_text("potong_invoice")
    expect(returns.get_by_role("button", name="Setujui")).to_be_disabled()
    expect(customer.locator(".log")).to_contain_text("Kabar terbaru untuk pengajuan retur Kakak")

    # Extend the ticket: a reason is required.
    tickets = column.get_by_role("region", name="Tiket pengaduan")
    expect(tickets).to_contain_text(ticket_number)
    expect(tickets).to_contain_text("Batas waktu")
    tickets.get_by_role("button", name="Perpanjang").click()
    dialog = console.get_by_role("dialog", name=f"Perpanjang tiket {ticket_number}")
    dialog.get_by_role("button", name="Perpanjang").click()
    expect(dialog.get_by_role("alert")).to_have_text("Catatan wajib diisi.")
    dialog.get_by_label("Alasan perpanjangan").fill("Menunggu hasil pengecekan gudang.")
    dialog.get_by_role("button", name="Perpanjang").click()
    expect(dialog).to_be_hidden()
    expect(tickets).to_contain_text("diperpanjang")
    expect(tickets.get_by_role("button", name="Perpanjang")).to_be_disabled()
    expect(customer.locator(".log")).to_contain_text("Kabar terbaru untuk pengaduan Kakak")

    # Transfer to a colleague: the reply box closes for this agent.
    console.get_by_role("button", name="Alihkan").click()
    dialog = console.get_by_role("dialog", name="Alihkan percakapan")
    dialog.get_by_label("Alihkan ke").select_option("budi")
    dialog.get_by_role("button", name="Alihkan").click()
    expect(dialog).to_be_hidden()
    expect(console.locator("#chat-agent")).to_have_text("Budi")
    expect(console.locator("#composer-send")).to_be_disabled()
    expect(console.locator("#composer-hint")).to_have_text("Percakapan ini sedang ditangani agent lain.")


def a_week_of_service(gateway: Gateway) -> None:
    """Six days of conversations: three handed to a human (claimed after 2, 5 and 12 minutes, two rated),
    a complaint, two returns and unanswered questions (one asked three times in different words)."""
    now = datetime.now(UTC)
    engine = db.make_engine(gateway.database_url)
    try:
        with Session(engine) as session:
            week = Week(session)
            waits = {1: 2, 3: 5, 5: 12}  # days ago -> minutes waited for an agent
            for days_ago in range(1, 7):
                start = now - timedelta(days=days_ago, hours=1)
                conversation = week.conversation("whatsapp" if days_ago % 2 else "widget", "usahaku99", start)
                if days_ago in waits:
                    week.handoff(
                        conversation,
                        "customer_request",
                        start,
                        claimed_after=timedelta(minutes=waits[days_ago]),
                    )
                    week.message(conversation, "agent", start + timedelta(minutes=waits[days_ago] + 1))
            for rating, days_ago in ((5, 1), (4, 3)):
                week.event(conversation, "csat", now - timedelta(days=days_ago), rating=rating)
            week.complaint("PGD-2612-LAP01", now - timedelta(days=2), (now + timedelta(days=5)).date())
            week.a_return("RTR-2612-LAP01", "diajukan", now - timedelta(days=1))
            week.a_return("RTR-2612-LAP02", "ditolak", now - timedelta(days=4))
            for question in (
                "alamat gudang bogor dimana",
                "Alamat gudang Bogor dimana?",
                "alamat gudang bogor dmn",
            ):
                week.unanswered(question, now - timedelta(days=1))
            session.commit()
    finally:
        engine.dispose()


def answered_from_the_console(gateway: Gateway, question: str, within: float = 60.0) -> bool:
    """Whether the gateway's help-centre search answers the question from a topic written by Tim CS."""
    url = f"{gateway.url}/api/knowledge/search?k=1&q={urllib.parse.quote(question)}"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the test gateway
            if "Sumber: Tim CS (Sari)" in json.loads(response.read())[0]["text"]:
                return True
        time.sleep(0.5)
    return False


def test_a_supervisor_sees_the_reports_page_with_charts_an_agent_does_not(console: Page, gateway: Gateway):
    a_week_of_service(gateway)
    log_in(console, gateway)  # Dewi is an agent
    expect(console.get_by_role("button", name="Percakapan")).to_be_visible()
    expect(console.get_by_role("button", name="Laporan")).to_be_hidden()
    console.get_by_role("button", name="Keluar").click()

    log_in(console, gateway, username="sari", password="sari-demo-123")
    console.get_by_role("button", name="Laporan").click()
    page = console.get_by_role("main", name="Laporan layanan")
    expect(page).to_be_visible()
    expect(console.locator("#chats-page")).to_be_hidden()
    expect(page.locator("#reports-status")).to_contain_text("Periode")

    conversations = page.locator('[data-kpi="conversations"] .kpi-value')
    expect(conversations).to_have_text(re.compile(r"^\d+$"))
    assert int(conversations.inner_text()) >= 6
    expect(page.locator('[data-kpi="wait"] .kpi-value')).not_to_have_text("–")
    expect(page.locator('[data-kpi="csat"] .kpi-value')).to_contain_text("/ 5")

    charts = page.locator("figure.chart")
    expect(charts).to_have_count(3)
    expect(charts.nth(0).locator("svg[role=img]")).to_have_attribute(
        "aria-label", re.compile("Percakapan per hari")
    )
    assert charts.nth(0).locator("rect.bar").count() >= 6  # one bar per day with conversations
    assert charts.nth(2).locator("rect.bar").count() >= 3  # the days someone waited for an agent

    unanswered = page.locator('[data-table="unanswered"]')
    row = unanswered.locator("tbody tr").filter(has_text="alamat gudang bogor")
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_have_text("3")
    expect(page.locator('[data-table="reasons"]')).to_contain_text("Minta CS")
    expect(page.locator('[data-table="returns"]')).to_contain_text("Ditolak")
    expect(page.locator('[data-table="channels"]')).to_contain_text("WhatsApp")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=SCREENSHOTS / "reports.png")

    # Answer the unanswered question with a new topic; it leaves the list and answers within a minute.
    row.get_by_role("button", name="Jawab").click()
    dialog = console.get_by_role("dialog", name="Jawab pertanyaan pelanggan")
    expect(dialog.locator("#knowledge-question")).to_have_text(re.compile("alamat gudang bogor", re.I))
    dialog.get_by_label("Tulis topik baru").check()
    dialog.get_by_label("Platform").select_option("aksestoko")
    dialog.get_by_label("Pertanyaan", exact=True).fill("Di mana alamat gudang AksesToko di Bogor?")
    dialog.get_by_label(re.compile("^Jawaban .sumbernya")).fill(
        "Gudang AksesToko di Bogor ada di Jl. Contoh No. 1, Kak."
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=SCREENSHOTS / "reports-answer.png")
    dialog.get_by_role("button", name="Simpan").click()
    expect(dialog).to_be_hidden()
    expect(console.locator("#notice")).to_contain_text("berlaku untuk pelanggan")
    expect(unanswered.locator("tbody tr").filter(has_text="alamat gudang bogor")).to_have_count(0)
    edits = page.locator('[data-table="edits"]')
    expect(edits).to_contain_text("Topik baru: Di mana alamat gudang AksesToko di Bogor?")
    expect(edits).to_contain_text("Sari")
    assert answered_from_the_console(gateway, "alamat gudang aksestoko di bogor dimana ya")

    page.get_by_label("Periode").select_option("30")
    expect(page.locator("#reports-status")).to_contain_text("Periode")
    expect(charts.nth(0).locator("svg text.tick").first).to_be_visible()
    console.get_by_role("button", name="Percakapan").click()
    expect(console.locator("#chats-page")).to_be_visible()
