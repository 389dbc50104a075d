"""The gateway: FastAPI app factory (`uvicorn bot.app:create_app --factory`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from bot import api_complaints, api_knowledge, api_returns, health
from bot.channels import rest
from bot.config import Settings, get_settings
from bot.jobs import complaint_deadline_job
from bot.logs import configure_logging
from bot.rasa_client import RasaClient
from bot.router import ConversationRouter
from bot.store.db import get_sessionmaker


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging()
        async with httpx.AsyncClient() as http:
            rasa = RasaClient(http, settings.rasa_base_url, settings.rasa_timeout_seconds)
            app.state.settings = settings
            app.state.http = http
            app.state.rasa = rasa
            app.state.router = ConversationRouter(get_sessionmaker(), rasa)
            deadlines = asyncio.create_task(complaint_deadline_job(settings.complaint_check_seconds))
            try:
                yield
            finally:
                deadlines.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await deadlines

    app = FastAPI(
        title="Asisten CS — gateway",
        summary="Channels, conversation routing and APIs of the Indonesian customer-service assistant.",
        lifespan=lifespan,
    )
    app.include_router(health.router)
    app.include_router(rest.router)
    app.include_router(api_knowledge.router)
    app.include_router(api_complaints.router)
    app.include_router(api_returns.router)
    return app
