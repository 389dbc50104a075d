"""A real gateway process (uvicorn) on a free port, Rasa played by a local HTTP server, and Debian's chromium
driven by Playwright. Playwright's own browser downloads are never used: `executable_path` is the system
chromium (`apt-get install chromium`; .ci/run installs it when missing)."""

from __future__ import annotations

import os
import shutil
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.ops.stack import Service
from bot.store import db
from bot.store.migrate import upgrade
from bot.store.models import Message
from tests.bot.conftest import unused_port
from tests.fakes.rasa_server import FakeRasa, default_reply

XSS = "<img src=x onerror=window.__xss=1>"
HANDOFF_REQUEST = "mau bicara dengan CS"


def widget_reply(sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """Rasa as the widget tests need it: buttons for "halo" (default_reply), an answer per payload, files
    fetched from the URL the gateway handed over (as the action server does), markup that must stay text,
    and the handoff control payload (what action_handoff returns) for a customer who asks for a human."""
    if text == HANDOFF_REQUEST:
        return [{"custom": {"handoff": {"reason": "customer_request"}}}]
    if text == "/check_order_status":
        return [{"text": "Baik Kak, boleh kirim nomor pesanannya?"}]
    if text == "xss":
        return [{"text": XSS}]
    if text == "tautan":
        return [
            {"text": "Panduan lengkap ada di https://bantuan.example.co.id/retur. Ada lagi, Kak?"},
            {"text": "Ini gambarnya.", "image": "javascript:window.__xss=2"},
        ]
    if metadata.get("media"):
        media = metadata["media"][0]
        with urllib.request.urlopen(media["url"], timeout=5) as response:  # noqa: S310 - the gateway's URL
            head = response.read(8)
        kind = "PNG" if head.startswith(b"\x89PNG") else "bukan gambar"
        return [{"text": f"Foto diterima ({kind}), terima kasih Kak."}]
    return default_reply(sender, text, metadata)


@dataclass
class Gateway:
    """`uvicorn bot.app:create_app --factory` as `make run` starts it; stop() and start() keep the port."""

    service: Service
    port: int
    database_url: str
    log_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self.service.start(self.log_dir)
        deadline = time.monotonic() + timeout
        while not self.service.healthy():
            process = self.service.process
            if process is not None and process.poll() is not None:
                pytest.fail(f"the gateway exited; see {self.log_dir / 'gateway.log'}")
            if time.monotonic() > deadline:
                pytest.fail(f"the gateway did not start in {timeout:.0f} s")
            time.sleep(0.1)

    def stop(self) -> None:
        self.service.stop()

    def inbound_texts(self) -> list[str]:
        engine: Engine = db.make_engine(self.database_url)
        try:
            with Session(engine) as session:
                return list(
                    session.scalars(
                        select(Message.text).where(Message.direction == "in").order_by(Message.id)
                    )
                )
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("the browser tests need Debian's chromium: apt-get install -y chromium")
    return path


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    with FakeRasa(reply=widget_reply).running() as fake:
        yield fake


@pytest.fixture(scope="module")
def gateway(
    rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Gateway]:
    """The gateway for a test module; a module's GATEWAY_ENV (a dict) adds to its environment."""
    tmp = tmp_path_factory.mktemp("gateway")
    database_url = f"sqlite:///{tmp / 'app.db'}"
    upgrade(database_url)
    port = unused_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "RASA_URL": rasa.url,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{unused_port()}",
        "GATEWAY_PORT": str(port),
        "UPLOAD_DIR": str(tmp / "uploads"),
        "EVIDENCE_DIR": str(tmp / "evidence"),
        **getattr(request.module, "GATEWAY_ENV", {}),
    }
    command = [sys.executable, "-m", "uvicorn", "bot.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    service = Service("gateway", command, env, f"http://127.0.0.1:{port}/health")
    running = Gateway(service, port, database_url, tmp)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile (empty localStorage) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


SCREENSHOTS = PROJECT_ROOT / "reports" / "screenshots"
