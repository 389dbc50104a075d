"""Schemathesis over the gateway's own OpenAPI: every operation, with inputs generated from its schema (and
outside it), sent to a real gateway process without credentials and with the integrator's token. None may
answer 5xx (the documented 503s excepted) or leak a traceback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from pydantic import SecretStr
from schemathesis import GenerationMode

from bot.config import Settings
from bot.ops.stack import Service, gateway_service
from bot.store import db
from bot.store.migrate import upgrade
from tests.bot.conftest import unused_port
from tests.fakes.rasa_server import FakeRasa
from tests.fuzzing import tried

TOKEN = "integrator-secret-for-the-fuzz-run-0123456789"
EXAMPLES_PER_OPERATION = 30


@pytest.fixture
def live_gateway(tmp_path: Path, rasa: FakeRasa) -> Iterator[str]:
    database_url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(database_url)
    port = unused_port()
    settings = Settings(
        environment="test",
        database_url=database_url,
        rasa_url=rasa.url,
        action_server_port=unused_port(),
        gateway_host="127.0.0.1",
        gateway_port=port,
        gateway_api_token=SecretStr(TOKEN),
        upload_dir=tmp_path / "uploads",
        evidence_dir=tmp_path / "evidence",
        rate_limit_per_sender=0,
        rate_limit_per_address=0,
    )
    service: Service = gateway_service(settings)
    service.start(tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not service.healthy():
            assert service.process is not None
            assert service.process.poll() is None, (tmp_path / "gateway.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        service.stop()
        db.get_engine().dispose()


def test_no_operation_answers_a_server_error(live_gateway: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_gateway}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        # Inputs the schema allows, and inputs it forbids (which must be refused with a 4xx).
        cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def run(case: schemathesis.Case) -> None:
            # A 503 is the documented answer of some operations (no knowledge index, WhatsApp not configured).
            allowed = {503} if "503" in case.operation.definition.raw.get("responses", {}) else set()
            for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
                tried("openapi: schemathesis cases")
                response = case.call(base_url=live_gateway, headers=headers, timeout=30)
                body = response.text or ""
                if (
                    response.status_code >= 500 and response.status_code not in allowed
                ) or "Traceback" in body:
                    failures.append(
                        f"{case.method} {case.formatted_path} -> {response.status_code}: {body[:200]}"
                    )

        run()
    assert operations >= 20  # the schema really was read
    assert failures == [], "\n".join(failures)
