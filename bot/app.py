"""The gateway: FastAPI app factory (`uvicorn bot.app:create_app --factory`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from bot.api.errors import install_error_handlers
from bot.channels import rest, webchat, whatsapp, widget_assets, widget_files
from bot.channels.hub import LocalHub, RedisHub
from bot.channels.twilio_api import TwilioSender
from bot.channels.whatsapp_outbox import OutboxWorker, WhatsAppOutlet
from bot.channels.widget_files import MULTIPART_OVERHEAD
from bot.config import Settings, get_settings
from bot.console import api as console_api
from bot.console import complaints as complaints_api
from bot.console import console_page
from bot.console import knowledge as knowledge_api
from bot.console import returns as returns_api
from bot.console import socket as console_socket
from bot.console.live import AgentFeed
from bot.conversations.rasa import RasaBot, RasaClient
from bot.conversations.turns import ConversationRouter
from bot.infra.background import Background
from bot.infra.locks import LocalLocks, RedisLocks
from bot.infra.logs import configure_logging
from bot.infra.ratelimit import LocalRateLimiter, MessageLimits, RedisRateLimiter
from bot.jobs import jobs as periodic_jobs
from bot.monitoring import health
from bot.monitoring import metrics as metrics_api
from bot.production import refuse_demo_passwords
from bot.reports import api as reports_api
from bot.store.db import get_sessionmaker
from bot.web.body_limit import BodyLimitMiddleware
from bot.web.request_id import RequestIdMiddleware


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging()
        if settings.environment == "production":  # the demo passwords are in the README
            await asyncio.to_thread(refuse_demo_passwords, get_sessionmaker())
        # Every conversation in flight may be waiting on Rasa: keep that many connections to it. The httpx
        # client is for the health checks (the action server).
        async with httpx.AsyncClient() as http, RasaClient.session(connections=400) as rasa_http:
            rasa = RasaClient(rasa_http, settings.rasa_base_url, settings.rasa_timeout_seconds)
            app.state.settings = settings
            app.state.sessions = get_sessionmaker()
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
            bot = RasaBot(rasa, http, settings.action_server_base_url)
            router = ConversationRouter(get_sessionmaker(), bot, settings, feed, locks)
            app.state.router = router
            app.state.widget = widget = webchat.WidgetChannel(hub, router.store)
            router.add_outlet("widget", widget)
            app.state.background = background = Background()
            jobs = [asyncio.create_task(job) for job in periodic_jobs(router, background, settings)]
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
    app.include_router(knowledge_api.router)
    app.include_router(complaints_api.router)
    app.include_router(returns_api.router)
    app.include_router(console_api.router)
    app.include_router(reports_api.router)
    app.include_router(metrics_api.router)
    app.include_router(console_socket.router)
    app.include_router(console_page.router)
    return app
