"""ENVIRONMENT=production refuses settings that would be insecure, naming the variable and what to do."""

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from bot.config import Settings

GOOD_TOKEN = "k3Jd9-pQ2x7LmZ0vB8nR4tYw6sHc1aFe"  # 32 characters
TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"
SECRETS = ("GATEWAY_API_TOKEN", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID", "PUBLIC_BASE_URL", "ENVIRONMENT")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test passes counts (not this machine's environment or .env)."""
    for name in (*SECRETS, "TWILIO_API_BASE_URL", "ORDERS_BACKEND", "ORDERS_API_URL", "ORDERS_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def production(**values: Any) -> Settings:
    return Settings(_env_file=None, environment="production", **values)


def refusal(**values: Any) -> str:
    with pytest.raises(ValidationError) as raised:
        production(**values)
    message = str(raised.value)
    assert "ENVIRONMENT=production refuses insecure settings" in message
    return message


def test_production_with_real_secrets_starts():
    settings = production(
        gateway_api_token=SecretStr(GOOD_TOKEN),
        twilio_account_sid="AC123",
        twilio_auth_token=SecretStr(TWILIO_TOKEN),
        public_base_url="https://cs.example.co.id",
    )
    assert settings.whatsapp_enabled


def test_development_and_tests_need_no_secrets():
    assert Settings(_env_file=None).gateway_api_token is None
    Settings(_env_file=None, environment="test", gateway_api_token=SecretStr("x"))


def test_production_needs_a_gateway_api_token():
    message = refusal()
    assert "GATEWAY_API_TOKEN is not set" in message
    assert "at least 32 characters" in message


def test_production_refuses_a_short_gateway_api_token():
    assert "GATEWAY_API_TOKEN is too short" in refusal(gateway_api_token=SecretStr("integrator-secret"))
    assert "GATEWAY_API_TOKEN" in refusal(gateway_api_token=SecretStr(GOOD_TOKEN[:31]))


def test_production_reads_the_environment(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("GATEWAY_API_TOKEN", "short")
    with pytest.raises(ValidationError, match="GATEWAY_API_TOKEN is too short"):
        Settings(_env_file=None)
    monkeypatch.setenv("GATEWAY_API_TOKEN", GOOD_TOKEN)
    assert Settings(_env_file=None).environment == "production"


@pytest.mark.parametrize("public_base_url", [None, "http://cs.example.co.id"])
def test_a_twilio_token_needs_an_https_public_url(public_base_url):
    message = refusal(
        gateway_api_token=SecretStr(GOOD_TOKEN),
        twilio_auth_token=SecretStr(TWILIO_TOKEN),
        public_base_url=public_base_url,
    )
    assert "PUBLIC_BASE_URL is not an https:// URL" in message
    assert "GATEWAY_API_TOKEN" not in message


def test_a_twilio_token_is_not_sent_to_a_plain_http_api():
    message = refusal(
        gateway_api_token=SecretStr(GOOD_TOKEN),
        twilio_auth_token=SecretStr(TWILIO_TOKEN),
        public_base_url="https://cs.example.co.id",
        twilio_api_base_url="http://127.0.0.1:9999",
    )
    assert "TWILIO_API_BASE_URL is not https://" in message


def test_a_placeholder_twilio_token_is_refused():
    message = refusal(
        gateway_api_token=SecretStr(GOOD_TOKEN),
        twilio_auth_token=SecretStr("changeme"),
        public_base_url="https://cs.example.co.id",
    )
    assert "TWILIO_AUTH_TOKEN is too short" in message


def test_every_problem_is_listed_at_once():
    message = refusal(twilio_auth_token=SecretStr(TWILIO_TOKEN))
    assert "GATEWAY_API_TOKEN" in message
    assert "PUBLIC_BASE_URL" in message


def test_an_order_system_token_is_not_sent_over_plain_http():
    orders = {"orders_backend": "http", "orders_api_token": SecretStr("shop-token")}
    message = refusal(
        gateway_api_token=SecretStr(GOOD_TOKEN), orders_api_url="http://orders.example", **orders
    )
    assert "ORDERS_API_URL is not an https:// URL" in message
    production(gateway_api_token=SecretStr(GOOD_TOKEN), orders_api_url="https://orders.example", **orders)
