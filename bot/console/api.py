"""The agent console's JSON API under /api/agent: login, the queue, a conversation and what agents do with it.

The contract is in docs/agent-console.md. Every state change goes through bot/handoff/states.py (a
conditional update, so two agents cannot both claim a conversation); the customer is then told on their own
channel and every console hears of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.api.deps import SESSION_COOKIE, RouterDep, SessionsDep, SettingsDep, Staff, StaffDep
from bot.console.views import ConversationDetail, ConversationSummary, Note, detail, summary
from bot.conversations.turns import ConversationRouter
from bot.conversations.types import Reply
from bot.handoff import csat, desk
from bot.handoff.agents import TooManyAttempts, login, logout, online_agents
from bot.services.knowledge_edits import current_knowledge
from bot.store.models import Agent, Conversation
from bot.store.models import ConversationState as S
from knowledge.answering import platform_name
from knowledge.errors import KnowledgeError

router = APIRouter(prefix="/api/agent", tags=["agent console"])

MAX_TEXT = 4000


class AgentPublic(BaseModel):
    username: str
    name: str
    role: str


class AgentOnline(AgentPublic):
    online: bool


class Me(BaseModel):
    agent: AgentPublic
    csrf_token: str | None


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)


@router.post("/login", response_model=Me, responses={401: {}, 429: {"description": "Retry-After says when"}})
async def agent_login(
    sessions: SessionsDep, body: LoginRequest, request: Request, response: Response, settings: SettingsDep
) -> Me:
    """Start a console session: an HttpOnly cookie, and the CSRF token to send with every change."""
    address = request.client.host if request.client else "unknown"

    def run() -> tuple[Me, str] | None:
        with sessions.begin() as session:
            done = login(
                session, username=body.username, password=body.password, address=address, settings=settings
            )
            if done is None:  # the failed attempt is committed: it counts towards the limit
                return None
            agent = AgentPublic(username=done.agent.username, name=done.agent.name, role=done.agent.role)
            return Me(agent=agent, csrf_token=done.csrf_token), done.token

    try:
        done = await run_in_threadpool(run)
    except TooManyAttempts as exc:
        raise HTTPException(429, "too many failed logins", {"Retry-After": str(exc.retry_after)}) from exc
    if done is None:
        raise HTTPException(401, "wrong username or password")
    me_, token = done
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.agent_session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return me_


@router.post("/logout", status_code=204, response_class=Response)
async def agent_logout(sessions: SessionsDep, request: Request, staff: StaffDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:

        def run() -> None:
            with sessions.begin() as session:
                logout(session, token)

        await run_in_threadpool(run)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=Me)
async def me(staff: StaffDep) -> Me:
    agent = AgentPublic(username=staff.username, name=staff.name, role=staff.role)
    return Me(agent=agent, csrf_token=staff.csrf_token)


@router.get("/agents", response_model=list[AgentOnline])
async def agents(sessions: SessionsDep, staff: StaffDep) -> list[AgentOnline]:
    """Every active agent, and whether they are online (a live session used in the last 10 minutes)."""

    def run() -> list[AgentOnline]:
        with sessions.begin() as session:
            online = {a.id for a in online_agents(session)}
            everyone = session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.username))
            return [
                AgentOnline(username=a.username, name=a.name, role=a.role, online=a.id in online)
                for a in everyone
            ]

    return await run_in_threadpool(run)


# --- conversations --------------------------------------------------------------------------------------

View = Literal["queue", "mine", "active"]


@router.get("/conversations", response_model=list[ConversationSummary])
async def conversations(
    sessions: SessionsDep,
    staff: StaffDep,
    view: View = "queue",
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[ConversationSummary]:
    """queue: waiting for an agent, longest wait first; mine: yours; active: everything not closed, newest
    activity first."""

    def run() -> list[ConversationSummary]:
        with sessions.begin() as session:
            query = select(Conversation)
            if view == "queue":
                query = query.where(Conversation.state == S.waiting_agent).order_by(
                    Conversation.waiting_since, Conversation.id
                )
            elif view == "mine":
                query = query.where(
                    Conversation.state == S.with_agent, Conversation.agent_id == staff.agent_id
                ).order_by(Conversation.updated_at.desc())
            else:
                query = query.where(Conversation.state != S.closed).order_by(Conversation.updated_at.desc())
            return [summary(session, c) for c in session.scalars(query.limit(limit))]

    return await run_in_threadpool(run)


def _conversation(session: Session, conversation_id: str) -> Conversation:
    found = session.scalar(select(Conversation).where(Conversation.public_id == conversation_id))
    if found is None:
        raise HTTPException(404, f"no conversation {conversation_id}")
    return found


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
async def conversation_detail(
    sessions: SessionsDep, conversation_id: str, staff: StaffDep
) -> ConversationDetail:
    """The transcript (bot and customer and agents), notes, events, and the customer's orders, returns and
    tickets."""

    def run() -> ConversationDetail:
        with sessions.begin() as session:
            return detail(session, _conversation(session, conversation_id))

    return await run_in_threadpool(run)


Step = Callable[[Session, Conversation], str | None]


async def _step(
    sessions: sessionmaker[Session],
    conversation_id: str,
    router_: ConversationRouter,
    step: Step,
    author: str,
    *,
    changes_state: bool = True,
) -> ConversationDetail:
    """Run one change in a transaction, then tell the customer and the consoles."""

    def run() -> tuple[str | None, ConversationDetail]:
        with sessions.begin() as session:
            conversation = _conversation(session, conversation_id)
            text = step(session, conversation)  # IllegalTransition: 409 with its message (bot/api/errors.py)
            session.flush()
            session.refresh(conversation)
            return text, detail(session, conversation)

    text, result = await run_in_threadpool(run)
    if text:
        await router_.send_to_customer(conversation_id, author, [Reply(text=text)])
    if changes_state:
        await router_.announce_state(conversation_id)
    return result


def _agent(session: Session, staff: Staff) -> Agent:
    if staff.agent_id is None:
        raise HTTPException(403, "log in as an agent to take conversations")
    return session.get_one(Agent, staff.agent_id)


def _holder_or_supervisor(conversation: Conversation, staff: Staff) -> None:
    """Only the agent holding a conversation (or a supervisor) changes or answers it."""
    if (
        conversation.state == S.with_agent
        and conversation.agent_id != staff.agent_id
        and not staff.is_supervisor
    ):
        raise HTTPException(409, "Percakapan ini sedang ditangani agent lain.")


@router.post("/conversations/{conversation_id}/claim", response_model=ConversationDetail)
async def claim(
    sessions: SessionsDep, conversation_id: str, staff: StaffDep, router_: RouterDep
) -> ConversationDetail:
    """Ambil: take a waiting conversation. 409 when a colleague was faster."""
    return await _step(
        sessions, conversation_id, router_, lambda s, c: desk.claim(s, c, _agent(s, staff)), "system"
    )


class TransferRequest(BaseModel):
    to: str = Field(min_length=1, max_length=40)


@router.post("/conversations/{conversation_id}/transfer", response_model=ConversationDetail)
async def transfer(
    sessions: SessionsDep, conversation_id: str, body: TransferRequest, staff: StaffDep, router_: RouterDep
) -> ConversationDetail:
    def step(session: Session, conversation: Conversation) -> str:
        _holder_or_supervisor(conversation, staff)
        to = session.scalar(select(Agent).where(Agent.username == body.to, Agent.active.is_(True)))
        if to is None:
            raise HTTPException(404, f"no agent {body.to}")
        return desk.transfer(session, conversation, actor=staff.label, to=to)

    return await _step(sessions, conversation_id, router_, step, "system")


@router.post("/conversations/{conversation_id}/release", response_model=ConversationDetail)
async def release(
    sessions: SessionsDep, conversation_id: str, staff: StaffDep, router_: RouterDep
) -> ConversationDetail:
    """Kembalikan ke bot: the bot answers the customer again."""

    def step(session: Session, conversation: Conversation) -> str:
        _holder_or_supervisor(conversation, staff)
        return desk.release(session, conversation, actor=staff.label)

    return await _step(sessions, conversation_id, router_, step, "system")


class CloseRequest(BaseModel):
    summary: str = Field(min_length=1, max_length=MAX_TEXT)


@router.post("/conversations/{conversation_id}/close", response_model=ConversationDetail)
async def close(
    sessions: SessionsDep, conversation_id: str, body: CloseRequest, staff: StaffDep, router_: RouterDep
) -> ConversationDetail:
    """Selesai: the customer receives the summary and a closing greeting."""

    def step(session: Session, conversation: Conversation) -> str:
        _holder_or_supervisor(conversation, staff)
        text = desk.close(session, conversation, actor=staff.label, summary=body.summary)
        csat.ask(session, conversation, agent=staff.label)
        return text

    result = await _step(sessions, conversation_id, router_, step, staff.label)
    await router_.send_to_customer(
        conversation_id, "system", [Reply(text=csat.QUESTION_TEXT, buttons=csat.BUTTONS)]
    )
    return result


class TextRequest(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)


@router.post("/conversations/{conversation_id}/messages", response_model=ConversationDetail)
async def reply(
    sessions: SessionsDep, conversation_id: str, body: TextRequest, staff: StaffDep, router_: RouterDep
) -> ConversationDetail:
    """A reply to the customer on their own channel; only from the agent holding the conversation."""

    def step(session: Session, conversation: Conversation) -> str:
        if conversation.state != S.with_agent or conversation.agent_id != staff.agent_id:
            raise HTTPException(409, "Ambil percakapan ini dulu sebelum membalas.")
        return body.text.strip()

    return await _step(sessions, conversation_id, router_, step, staff.label, changes_state=False)


@router.post("/conversations/{conversation_id}/notes", response_model=Note)
async def add_note(
    sessions: SessionsDep, conversation_id: str, body: TextRequest, staff: StaffDep, router_: RouterDep
) -> Note:
    """An internal note for colleagues; never sent to the customer."""

    def run() -> Note:
        with sessions.begin() as session:
            note = desk.add_note(
                session, _conversation(session, conversation_id), actor=staff.label, text=body.text.strip()
            )
            return Note(author=note.actor, text=body.text.strip(), created_at=note.created_at)

    note = await run_in_threadpool(run)
    await router_.feed.note(conversation_id, note.model_dump(mode="json"))
    return note


class CannedReply(BaseModel):
    title: str
    text: str
    source: str


@router.get("/canned", response_model=list[CannedReply])
async def canned(
    staff: StaffDep, settings: SettingsDep, q: Annotated[str, Query(max_length=200)] = ""
) -> list[CannedReply]:
    """Help-centre answers to paste into a reply, searched as the agent types."""
    if len(q.strip()) < 2:
        return []
    try:
        kb = await run_in_threadpool(current_knowledge, settings.knowledge_encoder)
        hits = await run_in_threadpool(kb.search, q, 8, None)
    except KnowledgeError as exc:
        raise HTTPException(503, f"knowledge index unavailable: {exc}") from exc
    replies: dict[str, CannedReply] = {}
    for hit in hits:
        if hit.kind == "faq" and hit.section not in replies:  # one entry per FAQ, best match first
            replies[hit.section] = CannedReply(
                title=hit.section, text=hit.text, source=platform_name(hit.brand)
            )
    return list(replies.values())[:5]
