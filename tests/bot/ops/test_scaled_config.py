"""The scaled layout's nginx configuration (bot/ops/scaled.py): nginx accepts it, and it lets go of an idle
upstream connection before the backend does. Otherwise a POST that nginx sends on a connection the backend
is closing fails. nginx will not retry a POST, so the customer gets a 502 (one in 1,184 under the
closed-loop bench)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.config import get_settings
from bot.ops.scaled import nginx_config
from bot.ops.stack import BACKEND_KEEPALIVE_S, gateway_service

PORTS = {"gateway": [18101, 18102], "rasa": [18103, 18104], "actions": [18105, 18106]}


def _config(directory: Path) -> str:
    return nginx_config(
        directory=directory, public=("127.0.0.1", 18100), rasa_port=18107, actions_port=18108, ports=PORTS
    )


def test_every_upstream_drops_idle_connections_before_its_backends_do(tmp_path):
    upstreams = re.findall(r"upstream (\w+) \{(.*?)\}", _config(tmp_path), re.DOTALL)
    assert {name for name, _ in upstreams} == {"gateways", "rasa_servers", "action_servers"}
    for name, body in upstreams:
        idle = re.search(r"keepalive_timeout (\d+)s;", body)
        assert idle, f"{name} keeps idle connections for nginx's default 60 s"
        assert int(idle.group(1)) < BACKEND_KEEPALIVE_S
    command = gateway_service(get_settings()).command
    assert command[command.index("--timeout-keep-alive") + 1] == str(BACKEND_KEEPALIVE_S)


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_configuration(tmp_path):
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / kind).mkdir(parents=True)
    (tmp_path / "nginx.conf").write_text(_config(tmp_path))
    checked = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
