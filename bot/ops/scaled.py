"""Scale-out mode on one machine: nginx in front of several gateways, Rasa servers and action servers.

`python -m bot.ops.scaled` (what `make run-scaled` ends with) needs DATABASE_URL on PostgreSQL and REDIS_URL.
One public port (GATEWAY_PORT) balances the gateways; two loopback ports (RASA_PORT, ACTION_SERVER_PORT)
balance the Rasa servers and the action servers, so every process reaches the others through nginx and any
one of them can be stopped. What is shared: PostgreSQL (our tables and Rasa's tracker store), Redis
(conversation locks of the gateways and of Rasa, live frames) and the upload/evidence directories.
docs/deploy.md explains the same layout across several machines.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT, get_settings
from bot.ops.seed import seed_demo
from bot.ops.stack import (
    BACKEND_KEEPALIVE_S,
    Service,
    Stack,
    StackError,
    actions_service,
    gateway_service,
    rasa_service,
    run_until_stopped,
    served_model,
    start_or_exit,
)
from bot.store.migrate import upgrade

NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")


def nginx_binary() -> str:
    for candidate in NGINX_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise StackError("nginx is not installed: `apt-get install nginx-light` (Debian) or your system's nginx")


# The backends close a keep-alive connection idle for BACKEND_KEEPALIVE_S. nginx must drop its idle ones
# first: a POST sent on a connection the backend is closing at that instant fails, and nginx does not retry
# a POST elsewhere (it may have been processed), so the customer would get a 502.
UPSTREAM_IDLE_S = BACKEND_KEEPALIVE_S - 1


def _upstream(name: str, ports: list[int]) -> str:
    # A backend that refuses a connection is skipped for 5 s; the request goes to the next one.
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in ports)
    pool = f"    keepalive 32;\n    keepalive_timeout {UPSTREAM_IDLE_S}s;"
    return f"  upstream {name} {{\n{servers}\n{pool}\n  }}\n"


def nginx_config(
    *,
    directory: Path,
    public: tuple[str, int],
    rasa_port: int,
    actions_port: int,
    ports: dict[str, list[int]],
) -> str:
    """The whole nginx.conf: three load-balanced servers (gateway public, Rasa and actions on loopback)."""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"  {kind}_temp_path {directory / 'tmp' / kind};" for kind in kinds)
    upstreams = (
        _upstream("gateways", ports["gateway"])
        + _upstream("rasa_servers", ports["rasa"])
        + _upstream("action_servers", ports["actions"])
    )
    common = (
        "      proxy_http_version 1.1;\n"
        '      proxy_set_header Connection "";\n'
        "      proxy_next_upstream error timeout;\n"
        "      proxy_read_timeout 120s;\n"
    )
    host, port = public
    return f"""# Written by bot.ops.scaled at every start; edits are lost.
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
{temp}
  client_max_body_size 20m;
  # Bodies and responses stay in memory: the workers (nobody) may not be able to write below our directory.
  client_body_buffer_size 20m;
  proxy_max_temp_file_size 0;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' ''; }}
{upstreams}
  server {{
    listen {host}:{port};
    # Uploaded evidence is served to the action server on loopback only, never through the public port.
    location /media/ {{ return 404; }}
    location = /nginx-health {{ return 200 "ok\\n"; }}
    location / {{
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      # Overwritten, not appended: the gateway trusts this header from loopback (uvicorn's proxy headers),
      # so a client must not be able to choose the address it is seen (and rate limited) as.
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout;
      proxy_read_timeout 3600s;  # widget and console WebSockets stay open
    }}
  }}
  server {{
    listen 127.0.0.1:{rasa_port};
    location / {{
      proxy_pass http://rasa_servers;
{common}    }}
  }}
  server {{
    listen 127.0.0.1:{actions_port};
    location / {{
      proxy_pass http://action_servers;
{common}    }}
  }}
}}
"""


@dataclass
class ScaledStack(Stack):
    """nginx plus `replicas` gateways, Rasa servers and action servers (named gateway-1, rasa-1, …)."""

    replicas: int = 2
    port_for: Callable[[str, int], int] | None = None  # (kind, index) → port; default: base + 1 + index
    nginx_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "nginx")
    ports: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        s = self.settings
        if not s.database_url.startswith("postgresql") or not s.redis_url:
            raise StackError(
                "scale-out mode needs DATABASE_URL=postgresql+psycopg://… and REDIS_URL=redis://…"
            )
        bases = {"gateway": s.gateway_port, "rasa": s.rasa_port, "actions": s.action_server_port}
        ports = {
            kind: [self.port_for(kind, i) if self.port_for else base + 1 + i for i in range(self.replicas)]
            for kind, base in bases.items()
        }
        # Every process reaches Rasa and the action servers through nginx's loopback ports.
        shared = {"rasa_url": s.rasa_base_url, "action_server_url": s.action_server_base_url}
        self.services = {"nginx": self._nginx(ports)}
        for i in range(self.replicas):
            n = i + 1
            self.services[f"rasa-{n}"] = rasa_service(
                s.model_copy(update={**shared, "rasa_port": ports["rasa"][i]}), self.model, f"rasa-{n}"
            )
            self.services[f"actions-{n}"] = actions_service(
                s.model_copy(update={**shared, "action_server_port": ports["actions"][i]}), f"actions-{n}"
            )
            self.services[f"gateway-{n}"] = gateway_service(
                s.model_copy(
                    update={**shared, "gateway_host": "127.0.0.1", "gateway_port": ports["gateway"][i]}
                ),
                f"gateway-{n}",
            )
        self.ports = ports

    def _nginx(self, ports: dict[str, list[int]]) -> Service:
        s = self.settings
        (self.nginx_dir / "tmp").mkdir(parents=True, exist_ok=True)  # nginx makes only the last level
        conf = self.nginx_dir / "nginx.conf"
        conf.write_text(
            nginx_config(
                directory=self.nginx_dir,
                public=(s.gateway_host, s.gateway_port),
                rasa_port=s.rasa_port,
                actions_port=s.action_server_port,
                ports=ports,
            )
        )
        return Service(
            "nginx",
            [
                nginx_binary(),
                "-p",
                str(self.nginx_dir),
                "-e",
                str(self.nginx_dir / "error.log"),
                "-c",
                str(conf),
                "-g",
                "daemon off;",
            ],
            {},
            f"http://127.0.0.1:{s.gateway_port}/nginx-health",
        )

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.gateway_port}"


def ensure_database(database_url: str) -> None:
    """Create DATABASE_URL's PostgreSQL database when the server does not have it yet."""
    url = make_url(database_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        exists = connection.execute(query, (url.database,)).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database or "")))


def main() -> None:
    settings = get_settings()
    try:
        stack = ScaledStack(settings, served_model(settings, "run-scaled"))
    except StackError as exc:
        sys.exit(str(exc))
    ensure_database(settings.database_url)
    upgrade(settings.database_url)
    print(seed_demo())
    print("starting nginx, 2 Rasa servers, 2 action servers and 2 gateways (loading the model: ~60-90 s) ...")
    took = start_or_exit(stack)
    base = f"http://localhost:{settings.gateway_port}"
    behind = {kind: ", ".join(map(str, ports)) for kind, ports in stack.ports.items()}
    print(
        f"\nready in {took:.0f} s\n"
        f"  gateway   {base}   (nginx → gateways on {behind['gateway']})\n"
        f"  rasa      {settings.rasa_base_url}   (nginx → {behind['rasa']})\n"
        f"  actions   {settings.action_server_base_url}   (nginx → {behind['actions']})\n"
        f"  health    each gateway at http://127.0.0.1:<port>/health\n"
        f"  logs      {stack.log_dir.relative_to(PROJECT_ROOT)}/\n\n"
        "Ctrl-C stops them all."
    )
    run_until_stopped(stack)


if __name__ == "__main__":
    main()
