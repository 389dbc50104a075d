"""`GET /widget.js`: the widget with the helpers it shares with the agent console pasted in (one classic
script, as a shop embeds it), validated over the assembled bytes."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from email.utils import formatdate

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.channels import widget_assets
from bot.channels.widget_assets import inline_shared
from bot.web.static_assets import STATIC_DIR

WIDGET = STATIC_DIR / "widget.js"
SHARED = STATIC_DIR / "shared" / "common.js"
EXPORTED = re.compile(r"^export (?:function|var) ([A-Za-z_$][\w$]*)", re.MULTILINE)


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(widget_assets.router)
    with TestClient(app) as client:
        yield client


def test_the_served_widget_is_one_classic_script_with_the_shared_helpers(client):
    script = client.get("/widget.js").text
    assert script.startswith("/*\n * Asisten CS — the embeddable live-chat widget.")
    assert not re.search(r"\b(?:import|export)\b", script)  # no module syntax left: a classic script
    assert "// @inline" not in script
    start, end = script.index("(function () {"), script.rindex("})();")
    for name in EXPORTED.findall(SHARED.read_text(encoding="utf-8")):
        declared = re.findall(rf"^\s*(?:function {re.escape(name)}\(|var {re.escape(name)} =)", script, re.M)
        assert len(declared) == 1, name  # pasted once, and not declared by the widget itself
        assert start < script.index(declared[0].strip()) < end, name  # inside the widget's function
    assert script.rstrip().endswith("})();")


def test_the_shared_module_exports_only_what_can_be_inlined_and_the_widget_leaves_those_names_alone():
    shared = SHARED.read_text(encoding="utf-8")
    widget = WIDGET.read_text(encoding="utf-8")
    names = EXPORTED.findall(shared)
    assert {"el", "authorKind", "createRetry"} <= set(names)
    assert len(re.findall(r"^export\b", shared, re.M)) == len(names)
    assert not re.search(r"^\s*import\b", shared, re.M)
    for name in names:
        assert not re.search(rf"\b(?:function|var|let|const) {re.escape(name)}\b", widget), name
    assert widget.count("// @inline shared/common.js\n") == 1


def test_the_widget_is_revalidated_over_the_assembled_bytes(client):
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["etag"] == '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    newest = max(WIDGET.stat().st_mtime, SHARED.stat().st_mtime)
    assert response.headers["last-modified"] == formatdate(int(newest), usegmt=True)
    etag, modified = response.headers["etag"], response.headers["last-modified"]
    revalidated = client.get("/widget.js", headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated.headers["etag"] == etag
    assert revalidated.headers["cache-control"] == "public, max-age=300"
    assert client.get("/widget.js", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/widget.js", headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("changed", ["widget", "shared"])
def test_a_change_to_either_part_is_served_with_new_validators(client, tmp_path, monkeypatch, changed):
    widget, shared = tmp_path / "widget.js", tmp_path / "common.js"
    shutil.copyfile(WIDGET, widget)
    shutil.copyfile(SHARED, shared)
    os.utime(widget, (1_700_000_000, 1_700_000_000))
    os.utime(shared, (1_700_000_100, 1_700_000_100))
    monkeypatch.setattr(widget_assets, "WIDGET", widget)
    monkeypatch.setattr(widget_assets, "SHARED_FILE", shared)
    first = client.get("/widget.js")
    assert first.headers["last-modified"] == formatdate(1_700_000_100, usegmt=True)  # the newer part

    part = widget if changed == "widget" else shared
    part.write_text(part.read_text(encoding="utf-8") + "// changed\n", encoding="utf-8")
    os.utime(part, (1_700_000_200, 1_700_000_200))
    again = client.get("/widget.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200
    assert "// changed" in again.text
    assert again.headers["etag"] != first.headers["etag"]
    assert again.headers["last-modified"] == formatdate(1_700_000_200, usegmt=True)
    stale = client.get("/widget.js", headers={"If-Modified-Since": first.headers["last-modified"]})
    assert stale.status_code == 200
    assert client.get("/widget.js", headers={"If-None-Match": again.headers["etag"]}).status_code == 304


def test_inlining_pastes_the_module_at_the_marker_indented_without_exports_or_its_opening_comment():
    widget = b"(function () {\n  var a = 1;\n  // @inline shared/common.js\n  a = el();\n})();\n"
    shared = b"/*\n * About this module.\n */\n\n// Builds.\nexport function el() {\n  return 1;\n}\n"
    shared += b"\nexport var X = 2;\n"
    assert inline_shared(widget, shared) == (
        b"(function () {\n  var a = 1;\n  // Builds.\n  function el() {\n    return 1;\n  }\n\n  var X = 2;\n"
        b"  a = el();\n})();\n"
    )


@pytest.mark.parametrize(
    ("widget", "shared"),
    [
        (b"(function () {\n})();\n", b"export function el() {}\n"),  # no marker
        (b"// @inline shared/common.js\n// @inline shared/common.js\n", b"export function el() {}\n"),
        (b"// @inline shared/other.js\n", b"export function el() {}\n"),
        (b"// @inline shared/common.js\n", b'import { x } from "./x.js";\nexport function el() {}\n'),
        (b"// @inline shared/common.js\n", b"export default function el() {}\n"),
        (b"// @inline shared/common.js\n", b"function el() {}\nexport { el };\n"),
        (b"// @inline shared/common.js\n", b"export const X = 1;\n"),
    ],
)
def test_inlining_refuses_what_would_not_make_a_classic_script(widget, shared):
    with pytest.raises(ValueError, match=r"inline|export"):
        inline_shared(widget, shared)
