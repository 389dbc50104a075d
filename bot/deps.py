"""FastAPI dependencies. Everything is built in the app's lifespan and read from app.state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.config import Settings
from bot.rasa_client import RasaClient
from bot.router import ConversationRouter


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_router(request: Request) -> ConversationRouter:
    return request.app.state.router


def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
RouterDep = Annotated[ConversationRouter, Depends(get_router)]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
