"""Start Rasa, the action server and the gateway; wait until each is healthy; Ctrl-C stops all three.

`python -m bot.ops.stack` is what `make run` ends with. The e2e tests use `Stack` to start the same
processes on free ports against a throwaway database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
from pydantic import SecretStr

from bot.config import PROJECT_ROOT, Settings, get_settings
from bot.ops.rasa_env import RASA_BIN, model_path_for, one_openmp_thread, rasa_environment, training_hash
from bot.ops.spacy_model import ensure_spacy_model

VENV_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"


class StackError(Exception):
    """A process of the stack did not come up; the message names it and its log file."""


@dataclass
class Service:
    name: str
    command: list[str]
    env: dict[str, str]
    health_url: str
    is_healthy: Callable[[httpx.Response], bool] = lambda r: r.status_code == 200
    process: subprocess.Popen[bytes] | None = None
    log_file: IO[bytes] | None = None

    def start(self, log_dir: Path) -> None:
        self.log_file = (log_dir / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our Ctrl-C handling stops it, not the terminal's signal
        )

    def healthy(self) -> bool:
        try:
            return self.is_healthy(httpx.get(self.health_url, timeout=2.0))
        except httpx.HTTPError:
            return False

    def stop(self, timeout: float = 15.0) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.log_file:
            self.log_file.close()
            self.log_file = None


def _service_env(settings: Settings) -> dict[str, str]:
    """Environment for our own processes: every setting given explicitly, as the variable it is read
    from, so the gateway and the action server see the same values as the caller."""
    env = one_openmp_thread(dict(os.environ))
    for name in settings.model_fields_set:
        value = getattr(settings, name)
        if value is None:
            env.pop(name.upper(), None)
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, dict | list):
            value = json.dumps(value)
        env[name.upper()] = str(value)
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "RASA_URL": settings.rasa_base_url,
            "ACTION_SERVER_URL": settings.action_server_base_url,
            "GATEWAY_PORT": str(settings.gateway_port),
            "ENVIRONMENT": settings.environment,
            "EVIDENCE_DIR": str(settings.evidence_dir),
        }
    )
    return env


def rasa_service(settings: Settings, model: Path, name: str = "rasa") -> Service:
    return Service(
        name,
        [
            str(RASA_BIN),
            "run",
            "--enable-api",
            "--interface",
            "127.0.0.1",
            "--port",
            str(settings.rasa_port),
            "--model",
            str(model),
            "--endpoints",
            "endpoints.yml",
        ],
        rasa_environment(settings),
        f"http://127.0.0.1:{settings.rasa_port}/status",
        lambda r: r.status_code == 200 and bool(r.json().get("model_file")),
    )


def actions_service(settings: Settings, name: str = "actions") -> Service:
    return Service(
        name,
        [
            str(VENV_PYTHON),
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(settings.action_server_port),
        ],
        {**_service_env(settings), "SANIC_HOST": "127.0.0.1"},
        f"http://127.0.0.1:{settings.action_server_port}/health",
    )


# Seconds an idle keep-alive connection stays open: uvicorn's default, set explicitly for the gateway because
# nginx in the scaled layout must drop its idle upstream connections first (bot/ops/scaled.py). Sanic (Rasa,
# the action server) uses the same 5 s by default.
BACKEND_KEEPALIVE_S = 5


def gateway_service(settings: Settings, name: str = "gateway") -> Service:
    return Service(
        name,
        [
            str(VENV_PYTHON),
            "-m",
            "uvicorn",
            "bot.app:create_app",
            "--factory",
            "--host",
            settings.gateway_host,
            "--port",
            str(settings.gateway_port),
            "--timeout-keep-alive",
            str(BACKEND_KEEPALIVE_S),
        ],
        _service_env(settings),
        f"http://127.0.0.1:{settings.gateway_port}/health",
    )


@dataclass
class Stack:
    settings: Settings
    model: Path
    log_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "log")
    services: dict[str, Service] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.services = {
            "rasa": rasa_service(self.settings, self.model),
            "actions": actions_service(self.settings),
            "gateway": gateway_service(self.settings),
        }

    def start(self, timeout: float = 240.0) -> None:
        ensure_spacy_model()  # the model's SpacyNLP loads it from models/spacy-id
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services.values():
            service.start(self.log_dir)
        self.wait_healthy(timeout)

    def start_service(self, name: str, timeout: float = 240.0) -> None:
        self.services[name].start(self.log_dir)
        self.wait_healthy(timeout, names=[name])

    def stop_service(self, name: str) -> None:
        self.services[name].stop()

    def wait_healthy(self, timeout: float, names: list[str] | None = None) -> None:
        pending = {n: self.services[n] for n in names or self.services}
        deadline = time.monotonic() + timeout
        while pending:
            for name, service in list(pending.items()):
                if service.process and service.process.poll() is not None:
                    raise StackError(f"{name} exited early; see {self.log_dir / (name + '.log')}")
                if service.healthy():
                    del pending[name]
            if time.monotonic() > deadline:
                raise StackError(
                    f"not healthy after {timeout:.0f} s: {', '.join(pending)} (logs in {self.log_dir})"
                )
            time.sleep(0.5)

    def stop(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def served_model(settings: Settings, make_target: str) -> Path:
    """The model the stack serves: RASA_MODEL_PATH, else the cached one for the current training data."""
    model = settings.rasa_model_path or model_path_for(training_hash())
    if not model.exists():
        sys.exit(f"No trained model at {model}. Run `make {make_target}` (it trains first) or `make train`.")
    return model


def start_or_exit(stack: Stack) -> float:
    """Start every process and wait until each is healthy; seconds taken. Exits saying which one failed."""
    started = time.monotonic()
    try:
        stack.start()
    except StackError as exc:
        stack.stop()
        sys.exit(f"stack failed to start: {exc}")
    return time.monotonic() - started


def main() -> None:
    settings = get_settings()
    stack = Stack(settings, served_model(settings, "run"))
    print("starting Rasa, the action server and the gateway (first start loads the model: ~30-60 s) ...")
    took = start_or_exit(stack)
    base = f"http://localhost:{settings.gateway_port}"
    demo_agents = (
        ""
        if settings.environment == "production"
        else "   (demo agents: dewi / dewi-demo-123, sari / sari-demo-123)"
    )
    print(
        f"\nready in {took:.0f} s\n"
        f"  gateway   {base}   (health: {base}/health, API docs: {base}/docs)\n"
        f"  widget    {base}/demo   (a mock shop page with the chat widget)\n"
        f"  console   {base}/agent{demo_agents}\n"
        f"  rasa      {settings.rasa_base_url}   actions {settings.action_server_base_url}\n"
        f"  logs      {stack.log_dir.relative_to(PROJECT_ROOT)}/\n\n"
        "Talk to the bot:\n"
        f"  curl -s {base}/webhooks/rest/webhook -H 'Content-Type: application/json' \\\n"
        '    -d \'{"sender": "demo", "message": "halo kak, pesanan sy udh smpe mana ya"}\'\n\n'
        "Ctrl-C stops all three."
    )
    run_until_stopped(stack)


def run_until_stopped(stack: Stack) -> None:
    """Wait for Ctrl-C, SIGTERM or a process exiting, then stop every process."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while all(s.process and s.process.poll() is None for s in stack.services.values()):
            time.sleep(1)
        dead = [n for n, s in stack.services.items() if s.process and s.process.poll() is not None]
        print(f"stopped: {', '.join(dead)} exited (see {stack.log_dir.relative_to(PROJECT_ROOT)}/)")
    except KeyboardInterrupt:
        print("\nstopping ...")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
