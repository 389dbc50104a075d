"""FastAPI dependencies: what the app's lifespan built (read from app.state, typed here once) and who is
calling. Routes and sockets take them as parameters, so tests can swap any of them with
`app.dependency_overrides` (tests/bot/api/test_deps.py)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import httpx
from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from bot.config import Settings
from bot.conversations.rasa import RasaClient
from bot.conversations.turns import ConversationRouter
from bot.handoff.agents import session_for
from bot.infra.background import Background
from bot.infra.locks import ConversationLocks
from bot.infra.ratelimit import MessageLimits
from bot.store.models import utcnow


# `HTTPConnection`: the same dependencies serve HTTP routes and WebSockets. `async def` although none of
# them awaits: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per dependency per
# request (three on every REST message) for reading an attribute (docs/adr/0014).
async def get_app_settings(connection: HTTPConnection) -> Settings:
    return connection.app.state.settings


async def get_sessions(connection: HTTPConnection) -> sessionmaker[Session]:
    """The database: `with sessions.begin() as session` commits on success and rolls back on error."""
    return connection.app.state.sessions


async def get_router(connection: HTTPConnection) -> ConversationRouter:
    return connection.app.state.router


async def get_rasa(connection: HTTPConnection) -> RasaClient:
    return connection.app.state.rasa


async def get_http(connection: HTTPConnection) -> httpx.AsyncClient:
    return connection.app.state.http


async def get_limits(connection: HTTPConnection) -> MessageLimits:
    return connection.app.state.limits


async def get_locks(connection: HTTPConnection) -> ConversationLocks:
    return connection.app.state.locks


async def get_background(connection: HTTPConnection) -> Background:
    return connection.app.state.background


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
LimitsDep = Annotated[MessageLimits, Depends(get_limits)]
RouterDep = Annotated[ConversationRouter, Depends(get_router)]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
HttpDep = Annotated[httpx.AsyncClient, Depends(get_http)]
LocksDep = Annotated[ConversationLocks, Depends(get_locks)]
BackgroundDep = Annotated[Background, Depends(get_background)]


def bearer_matches(settings: Settings, authorization: str | None) -> bool:
    """True when the request carries `Authorization: Bearer $GATEWAY_API_TOKEN` (and one is configured)."""
    token = settings.gateway_api_token
    # A blank GATEWAY_API_TOKEN (an empty `.env` line) is no token: else a bare "Bearer " would match it.
    if token is None or not token.get_secret_value().strip():
        return False
    if not authorization or not authorization.startswith("Bearer "):
        return False
    return hmac.compare_digest(authorization.removeprefix("Bearer ").strip(), token.get_secret_value())


SESSION_COOKIE = "agent_session"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_SEEN_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Staff:
    """Who is calling a staff API: a logged-in agent (cookie session) or the integrator token."""

    username: str
    name: str
    role: str
    agent_id: int | None  # None for the integrator token
    csrf_token: str | None = None

    @property
    def label(self) -> str:
        return f"agent:{self.username}"

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


INTEGRATOR = Staff(username="integrator", name="Integrasi", role="supervisor", agent_id=None)


def staff_for_cookie(sessions: sessionmaker[Session], token: str) -> Staff | None:
    """The agent behind a console cookie (marking them present), or None when it is unknown or expired."""
    with sessions.begin() as session:
        found = session_for(session, token)
        if found is None:
            return None
        agent = found.agent
        if agent.last_seen_at is None or utcnow() - agent.last_seen_at > _SEEN_EVERY:
            agent.last_seen_at = utcnow()
        return Staff(agent.username, agent.name, agent.role, agent.id, found.csrf_token)


async def require_staff(
    request: Request,
    settings: SettingsDep,
    sessions: SessionsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Staff:
    """Staff APIs: a console session (with X-CSRF-Token on every change) or the integrator bearer token."""
    if bearer_matches(settings, authorization):
        return INTEGRATOR
    token = request.cookies.get(SESSION_COOKIE)
    staff = await run_in_threadpool(staff_for_cookie, sessions, token) if token else None
    if staff is None:
        raise HTTPException(
            401,
            "log in at /agent (or send Authorization: Bearer <GATEWAY_API_TOKEN>)",
            {"WWW-Authenticate": "Bearer"},
        )
    if request.method not in _SAFE_METHODS:
        sent = request.headers.get("x-csrf-token") or ""
        if not staff.csrf_token or not hmac.compare_digest(sent, staff.csrf_token):
            raise HTTPException(403, "missing or wrong X-CSRF-Token")
    return staff


StaffDep = Annotated[Staff, Depends(require_staff)]


def acting_as(staff: Staff, named: str | None) -> str:
    """Who a history entry (a complaint step, a return decision) names as the actor: a console session's own
    agent, whatever the body says (naming another agent is refused: POJK 18/2018's history must show who
    really acted); for the integrator token the integration, with the person it says it acts for."""
    if staff.agent_id is not None:
        if named and named != staff.username:
            raise HTTPException(403, "an agent records steps under their own name only")
        return staff.label
    return f"integrasi:{named}" if named else "integrasi"


async def require_supervisor(staff: StaffDep) -> Staff:
    if not staff.is_supervisor:
        raise HTTPException(403, "supervisors only")
    return staff
