"""The agent console's page, scripts (ES modules) and stylesheet: headers, caching, which files are served,
and what the files must never do."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.console import console_page
from bot.web.static_assets import STATIC_DIR

CSP = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'"
)
# Every script the console runs: the entry point and the modules it imports.
SCRIPTS = sorted(
    [STATIC_DIR / "agent.js", *(STATIC_DIR / "console").glob("*.js"), *(STATIC_DIR / "shared").glob("*.js")]
)
STYLESHEETS = [STATIC_DIR / "agent.css", *sorted((STATIC_DIR / "console").glob("*.css"))]
IMPORT = re.compile(r'^import \{[^}]*\} from "([^"]+)";$', re.MULTILINE)


def url_of(script):
    return "/agent/" + script.relative_to(STATIC_DIR).as_posix()


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
    assert '<script type="module" src="/agent/agent.js"></script>' in response.text
    assert '<link rel="stylesheet" href="/agent/agent.css">' in response.text
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', response.text) == [
        url_of(stylesheet) for stylesheet in STYLESHEETS
    ]
    revalidated = client.get("/agent", headers={"If-None-Match": response.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["content-security-policy"] == CSP


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/agent/agent.js", "application/javascript"),
        ("/agent/console/api.js", "application/javascript"),
        ("/agent/shared/common.js", "application/javascript"),
        ("/agent/agent.css", "text/css"),
        ("/agent/console/reports.css", "text/css"),
    ],
)
def test_scripts_and_stylesheet_carry_validators(client, path, media_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["cache-control"] == "no-cache"
    etag, modified = response.headers["etag"], response.headers["last-modified"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304


def test_every_module_is_served_with_its_imports_and_preloaded(client):
    page = client.get("/agent").text
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', page))
    assert preloaded == {url_of(script) for script in SCRIPTS} - {"/agent/agent.js"}
    for script in SCRIPTS:
        response = client.get(url_of(script))
        assert response.status_code == 200
        assert response.content == script.read_bytes()
        for target in IMPORT.findall(script.read_text(encoding="utf-8")):
            assert target.startswith(("./", "../"))  # relative: a bare specifier needs an import map
            assert target.endswith(".js")
            assert (script.parent / target).resolve() in SCRIPTS


@pytest.mark.parametrize(
    "path",
    [
        "/agent/../web/static_assets.py",
        "/agent/%2e%2e/web/static_assets.py",
        "/agent/console/%2e%2e/%2e%2e/web/static_assets.py",
        "/agent/..%2fagent.html",
        "/agent/console/..%2f..%2fweb%2fstatic_assets.py",
        "/agent/%2fetc%2fpasswd",
        "/agent/widget.js",  # the widget is served assembled at /widget.js, not raw here
        "/agent/agent.html",
        "/agent/console/missing.js",
        "/agent/console/api.js.map",
        "/agent/",
    ],
)
def test_only_the_consoles_scripts_are_served_nothing_outside_bot_static(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["../web/static_assets.py", "console/../../web/static_assets.py", "/etc/passwd", "console/../agent.js"],
)
def test_a_path_out_of_the_console_folders_names_no_file(path):
    assert console_page.console_file(path) is None
    assert console_page.console_file("console/api.js") == STATIC_DIR / "console" / "api.js"


def test_no_inline_code_no_cdn_and_no_html_parsing():
    page = (STATIC_DIR / "agent.html").read_text(encoding="utf-8")
    scripts = {script: script.read_text(encoding="utf-8") for script in SCRIPTS}
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers (the CSP would block them)
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    stylesheets = [stylesheet.read_text(encoding="utf-8") for stylesheet in STYLESHEETS]
    for text in (page, *scripts.values(), *stylesheets):
        # nothing from another origin (the SVG namespace of the reports' charts is a name, not a URL)
        assert not re.search(r"https?://", text.replace('"http://www.w3.org/2000/svg"', '""'))
    parses_html = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "style=")
    for script, text in scripts.items():
        for word in parses_html:
            assert word not in text, script


def test_every_mutating_request_sends_the_csrf_token_same_origin():
    scripts = "".join(script.read_text(encoding="utf-8") for script in SCRIPTS)
    api = (STATIC_DIR / "console" / "api.js").read_text(encoding="utf-8")
    assert 'headers["X-CSRF-Token"] = csrf' in api
    assert 'credentials: "same-origin"' in api
    assert api.count("fetch(") == 1
    assert scripts.count("fetch(") == 1  # every request goes through api()
    assert "window.Cs" not in scripts  # modules import what they share (no window.CsConsole / CsReports)


def test_static_files_stay_small():
    """One module per responsibility: console scripts of at most 400 lines, no file in bot/static over 700."""
    for file in STATIC_DIR.rglob("*"):
        if file.is_file():
            lines = len(file.read_text(encoding="utf-8").splitlines())
            assert lines <= (400 if file in SCRIPTS else 700), file
