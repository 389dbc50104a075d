"""In production the gateway does not start while a seeded demo agent can log in with its published
password, and the seed script does not create them."""

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select, update

from bot.app import create_app
from bot.config import Settings, get_settings
from bot.ops.seed import DemoAgentsInProduction, seed_agents, seed_demo
from bot.production import InsecureProduction
from bot.store import db
from bot.store.models import Agent
from tests.bot.conftest import unused_port

TOKEN = "k3Jd9-pQ2x7LmZ0vB8nR4tYw6sHc1aFe"


def production_settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        environment="production",
        database_url=database_url,
        rasa_port=unused_port(),
        action_server_port=unused_port(),
        gateway_api_token=SecretStr(TOKEN),
    )


@pytest.fixture
def demo_agents(database_url: str) -> None:
    with db.session_scope() as session:
        seed_agents(session)


def test_the_gateway_refuses_to_start_with_demo_passwords(database_url, demo_agents):
    with (
        pytest.raises(InsecureProduction) as raised,
        TestClient(create_app(production_settings(database_url))),
    ):
        pass
    message = str(raised.value)
    assert "budi, dewi, sari" in message
    assert "demo password" in message
    assert "Deactivate them" in message


def test_the_gateway_starts_once_demo_passwords_are_gone(database_url, demo_agents):
    with db.session_scope() as session:
        dewi = session.scalar(select(Agent).where(Agent.username == "dewi"))
        dewi.password_hash = PasswordHasher().hash("a-real-password-nobody-published")
        session.execute(update(Agent).where(Agent.username.in_(["budi", "sari"])).values(active=False))
    with TestClient(create_app(production_settings(database_url))) as client:
        assert client.get("/health").status_code == 200


def test_one_demo_password_left_is_enough_to_refuse(database_url, demo_agents):
    with db.session_scope() as session:
        session.execute(update(Agent).where(Agent.username.in_(["budi", "dewi"])).values(active=False))
    app = create_app(production_settings(database_url))
    with pytest.raises(InsecureProduction, match=r"account\(s\) sari still"), TestClient(app):
        pass


@pytest.fixture
def production_environment(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("GATEWAY_API_TOKEN", TOKEN)
    get_settings.cache_clear()  # the database stays the same: DATABASE_URL is untouched


def test_seed_refuses_demo_agents_in_production(production_environment):
    with db.session_scope() as session, pytest.raises(DemoAgentsInProduction):
        seed_agents(session)
    assert "demo agents: none (ENVIRONMENT=production)" in seed_demo()
    with db.session_scope() as session:
        assert session.scalars(select(Agent)).all() == []
