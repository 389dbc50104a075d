"""Agent accounts, logins and console sessions (argon2 password hashes, database-backed sessions)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.store.models import Agent, AgentSession, LoginAttempt, utcnow

ROLES = ("agent", "supervisor")
_hasher = PasswordHasher()
# Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Login:
    agent: Agent
    token: str  # for the cookie; only its hash is stored
    csrf_token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_agent(session: Session, *, username: str, name: str, password: str, role: str = "agent") -> Agent:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if len(password) < 10:
        raise ValueError("an agent password has at least 10 characters")
    agent = Agent(username=username, name=name, role=role, password_hash=_hasher.hash(password))
    session.add(agent)
    session.flush()
    return agent


def password_is(agent: Agent, password: str) -> bool:
    """Whether this is the agent's password (no login, nothing recorded): the production start-up check."""
    try:
        return _hasher.verify(agent.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_rate(session: Session, username: str, address: str, settings: Settings) -> None:
    window = timedelta(minutes=settings.login_window_minutes)
    since = utcnow() - window
    for column, value, limit in (
        (LoginAttempt.username, username, settings.login_max_failures),
        (LoginAttempt.address, address, settings.login_max_failures * 4),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(column == value, LoginAttempt.at > since)
        ).one()
        if count >= limit and oldest is not None:
            raise TooManyAttempts(max(1, int((oldest + window - utcnow()).total_seconds()) + 1))


def login(
    session: Session, *, username: str, password: str, address: str, settings: Settings
) -> Login | None:
    """None for a wrong username or password (the failure is recorded: commit it); raises TooManyAttempts
    before checking anything once the limit is reached."""
    username = username.strip().lower()[:40]
    address = address[:64]
    _check_rate(session, username, address, settings)
    agent = session.scalar(select(Agent).where(Agent.username == username, Agent.active.is_(True)))
    try:
        _hasher.verify(agent.password_hash if agent else _DUMMY_HASH, password)
        if agent is None:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        session.add(LoginAttempt(username=username, address=address))
        return None
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        AgentSession(
            token_hash=token_hash(token),
            csrf_token=csrf,
            agent_id=agent.id,
            expires_at=utcnow() + timedelta(hours=settings.agent_session_hours),
        )
    )
    agent.last_seen_at = utcnow()
    return Login(agent, token, csrf)


def session_for(session: Session, token: str) -> AgentSession | None:
    """The live session of a cookie token (expired ones are gone)."""
    found = session.scalar(select(AgentSession).where(AgentSession.token_hash == token_hash(token)))
    if found is None or found.expires_at <= utcnow() or not found.agent.active:
        return None
    return found


def logout(session: Session, token: str) -> None:
    session.execute(delete(AgentSession).where(AgentSession.token_hash == token_hash(token)))


ONLINE_WITHIN = timedelta(minutes=10)


def online_agents(session: Session) -> list[Agent]:
    """Agents with a live session who used the console (or held it open) in the last 10 minutes."""
    live = select(AgentSession.agent_id).where(AgentSession.expires_at > utcnow())
    return list(
        session.scalars(
            select(Agent)
            .where(Agent.active.is_(True), Agent.id.in_(live), Agent.last_seen_at > utcnow() - ONLINE_WITHIN)
            .order_by(Agent.username)
        )
    )
