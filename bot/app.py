"""The gateway: FastAPI app factory (`uvicorn bot.app:create_app --factory`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from bot import api_complaints, api_knowledge, api_returns, health
from bot.background import Background
from bot.body_limit import BodyLimitMiddleware
from bot.channels import rest, webchat, whatsapp, widget_assets, widget_files
from bot.channels.hub import LocalHub, RedisHub
from bot.channels.twilio_api import TwilioSender
from bot.channels.whatsapp_outbox import OutboxWorker, WhatsAppOutlet
from bot.channels.widget_files import MULTIPART_OVERHEAD
from bot.config import Settings, get_settings
from bot.errors import install_error_handlers
from bot.handoff import api as handoff_api
from bot.handoff import console_page
from bot.handoff import socket as handoff_socket
from bot.handoff.live import AgentFeed
from bot.jobs import (
    complaint_deadline_job,
    evidence_cleanup_job,
    pending_messages_job,
    queue_reminder_job,
)
from bot.locks import LocalLocks, RedisLocks
from bot.logs import configure_logging
from bot.metrics import api as metrics_api
from bot.production import refuse_demo_passwords
from bot.rasa_client import RasaClient
from bot.ratelimit import LocalRateLimiter, MessageLimits, RedisRateLimiter
from bot.reports import api as reports_api
from bot.request_id import RequestIdMiddleware
from bot.router import ConversationRouter
from bot.store.db import get_sessionmaker


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging()
        if settings.environment == "production":  # the demo passwords are in the README
            await asyncio.to_thread(refuse_demo_passwords, get_sessionmaker())
        # Every conversation in flight may be waiting on Rasa: keep that many connections alive (default 20).
        limits = httpx.Limits(max_connections=400, max_keepalive_connections=200)
        async with httpx.AsyncClient(limits=limits) as http:
            rasa = RasaClient(http, settings.rasa_base_url, settings.rasa_timeout_seconds)
            app.state.settings = settings
            app.state.http = http
            app.state.rasa = rasa
            # Live frames (widget sockets, agent consoles) go through Redis when several gateways run.
            hub = RedisHub(settings.redis_url, settings.redis_prefix) if settings.redis_url else LocalHub()
            if isinstance(hub, RedisHub):
                await hub.start()
            app.state.hub = hub
            app.state.feed = feed = AgentFeed(hub)
            # Several gateway processes answer a conversation one turn at a time through a Redis lock.
            locks = (
                RedisLocks(settings.redis_url, settings.redis_prefix) if settings.redis_url else LocalLocks()
            )
            app.state.locks = locks
            window = settings.rate_limit_window_seconds
            limiter = (
                RedisRateLimiter(settings.redis_url, settings.redis_prefix, window)
                if settings.redis_url
                else LocalRateLimiter(window)
            )
            app.state.limits = MessageLimits(
                limiter, settings.rate_limit_per_sender, settings.rate_limit_per_address
            )
            router = ConversationRouter(get_sessionmaker(), rasa, settings, feed, locks)
            app.state.router = router
            app.state.widget = widget = webchat.WidgetChannel(hub)
            router.add_outlet("widget", widget)
            app.state.background = background = Background()
            jobs = [
                asyncio.create_task(complaint_deadline_job(settings.complaint_check_seconds)),
                asyncio.create_task(queue_reminder_job(router, settings)),
                asyncio.create_task(pending_messages_job(router, background, settings)),
                asyncio.create_task(evidence_cleanup_job(settings)),
            ]
            if settings.whatsapp_enabled:
                outbox = OutboxWorker(get_sessionmaker(), TwilioSender(settings), settings)
                router.add_outlet("whatsapp", WhatsAppOutlet(settings, outbox))
                app.state.outbox = outbox
                jobs.append(asyncio.create_task(outbox.run()))
            try:
                yield
            finally:
                await background.close()
                if isinstance(hub, RedisHub):
                    await hub.close()
                await locks.close()
                await limiter.close()
                for job in jobs:
                    job.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await job

    app = FastAPI(
        title="Asisten CS — gateway",
        summary="Channels, conversation routing and APIs of the Indonesian customer-service assistant.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    upload_bytes = settings.evidence_max_bytes + MULTIPART_OVERHEAD
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        per_path={"/api/widget/upload": upload_bytes},
    )
    # Added last, so it is the outermost: responses of the other middleware carry the id too.
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health.router)
    app.include_router(rest.router)
    app.include_router(whatsapp.router)
    app.include_router(webchat.router)
    app.include_router(widget_files.router)
    app.include_router(widget_assets.router)
    app.include_router(api_knowledge.router)
    app.include_router(api_complaints.router)
    app.include_router(api_returns.router)
    app.include_router(handoff_api.router)
    app.include_router(reports_api.router)
    app.include_router(metrics_api.router)
    app.include_router(handoff_socket.router)
    app.include_router(console_page.router)
    return app
