"""The agent console's page, script and stylesheet: headers, caching, and what the files must never do."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.handoff import console_page
from bot.static_assets import STATIC_DIR

CSP = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'"
)


@pytest.fixture
def client():
    app = FastAPI()
    app.include_router(console_page.router)
    with TestClient(app) as client:
        yield client


def test_the_page_is_revalidated_and_locked_down(client):
    response = client.get("/agent")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert '<script src="/agent/agent.js" defer></script>' in response.text
    assert '<link rel="stylesheet" href="/agent/agent.css">' in response.text
    revalidated = client.get("/agent", headers={"If-None-Match": response.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["content-security-policy"] == CSP


@pytest.mark.parametrize(
    ("path", "media_type"),
    [("/agent/agent.js", "application/javascript"), ("/agent/agent.css", "text/css")],
)
def test_script_and_stylesheet_carry_validators(client, path, media_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["cache-control"] == "no-cache"
    etag, modified = response.headers["etag"], response.headers["last-modified"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304


def test_no_inline_code_no_cdn_and_no_html_parsing():
    page = (STATIC_DIR / "agent.html").read_text(encoding="utf-8")
    script = (STATIC_DIR / "agent.js").read_text(encoding="utf-8")
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers (the CSP would block them)
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    for text in (page, script, (STATIC_DIR / "agent.css").read_text(encoding="utf-8")):
        assert not re.search(r"https?://", text)  # nothing from another origin
    for parses_html in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "style="):
        assert parses_html not in script


def test_every_mutating_request_sends_the_csrf_token_same_origin():
    script = (STATIC_DIR / "agent.js").read_text(encoding="utf-8")
    assert 'headers["X-CSRF-Token"] = csrf' in script
    assert 'credentials: "same-origin"' in script
    assert script.count("fetch(") == 1  # every request goes through api()
