"""FastAPI dependencies. Everything is built in the app's lifespan and read from app.state."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

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


def bearer_matches(settings: Settings, authorization: str | None) -> bool:
    """True when the request carries `Authorization: Bearer $GATEWAY_API_TOKEN` (and one is configured)."""
    token = settings.gateway_api_token
    if token is None or not authorization or not authorization.startswith("Bearer "):
        return False
    return hmac.compare_digest(authorization.removeprefix("Bearer ").strip(), token.get_secret_value())


def require_api_token(settings: SettingsDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """Staff-only JSON APIs until agent accounts exist: the integrator token is required."""
    if not bearer_matches(settings, authorization):
        raise HTTPException(
            401, "send Authorization: Bearer <GATEWAY_API_TOKEN>", {"WWW-Authenticate": "Bearer"}
        )
