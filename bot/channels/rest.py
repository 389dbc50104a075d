"""Rasa-compatible REST channel: POST /webhooks/rest/webhook."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.api.deps import LimitsDep, RouterDep, SettingsDep, bearer_matches
from bot.conversations.types import Inbound
from bot.infra.ratelimit import rate_limited_text
from bot.services.identity import normalize_phone
from knowledge.documents import BRANDS

router = APIRouter(tags=["channels"])

# Channel facts only the gateway (or a caller holding GATEWAY_API_TOKEN) may assert. `media` is a list of
# {"url", "content_type"} the action server will fetch: from anyone else it would be a way to make our
# server fetch arbitrary URLs.
TRUSTED_METADATA_KEYS = ("channel", "verified_phone", "media")
MAX_MESSAGE_CHARS = 4000
TRUSTED_SENDER_PREFIX = "api:"


class RestMessageIn(BaseModel):
    sender: str = Field(min_length=1, max_length=200)
    message: str = Field(max_length=MAX_MESSAGE_CHARS)
    metadata: dict[str, Any] | None = None
    # The client's id for this message: a retry with the same id (after a timeout, a proxy error) is stored
    # and answered once, and gets the same replies.
    message_id: str | None = Field(default=None, min_length=1, max_length=64)


class BotMessageOut(BaseModel):
    recipient_id: str
    text: str | None = None
    buttons: list[dict[str, Any]] | None = None
    image: str | None = None
    custom: dict[str, Any] | None = None


def channel_metadata(client: dict[str, Any] | None, *, trusted: bool) -> dict[str, Any]:
    """The metadata Rasa sees: the client's keys, with channel facts only from a trusted caller."""
    metadata = {k: v for k, v in (client or {}).items() if trusted or k not in TRUSTED_METADATA_KEYS}
    metadata.setdefault("channel", "rest")
    if metadata.get("verified_phone"):
        metadata["verified_phone"] = normalize_phone(str(metadata["verified_phone"]))
    return metadata


@router.post(
    "/webhooks/rest/webhook",
    response_model=list[BotMessageOut],
    response_model_exclude_none=True,
    responses={
        413: {"description": "The body is larger than MAX_BODY_BYTES."},
        429: {
            "description": "Too many messages from this sender or address (RATE_LIMIT_*): nothing was "
            "stored; the body carries an apology and `Retry-After` says when to send again."
        },
        503: {"description": "The bot is unavailable; the body still carries an apology."},
    },
)
async def rest_webhook(
    body: RestMessageIn,
    router_: RouterDep,
    settings: SettingsDep,
    limits: LimitsDep,
    request: Request,
    response: Response,
    authorization: Annotated[str | None, Header()] = None,
) -> list[BotMessageOut] | JSONResponse:
    """Send one customer message; returns the bot's replies (Rasa's REST contract)."""
    trusted = bearer_matches(settings, authorization)
    # A trusted integrator speaks for many customers from one address: only its senders are limited.
    address = None if trusted or request.client is None else request.client.host
    verdict = await limits.check(sender=f"rest:{body.sender}", address=address)
    if not verdict.allowed:
        apology = BotMessageOut(recipient_id=body.sender, text=rate_limited_text(verdict.retry_after))
        return JSONResponse(
            [apology.model_dump(exclude_none=True)],
            status_code=429,
            headers={"Retry-After": str(verdict.retry_after)},
        )
    metadata = channel_metadata(body.metadata, trusted=trusted)
    brand = metadata.get("brand")
    if brand is not None and (not isinstance(brand, str) or brand not in BRANDS):
        raise HTTPException(422, f"unknown brand {brand!r}; known: {', '.join(sorted(BRANDS))}")
    inbound = Inbound(
        channel="rest",
        # A trusted caller's conversations are its own: an untrusted caller who learns (or guesses) the same
        # sender id must not carry on a conversation whose owner a verified phone has proven.
        external_id=f"{TRUSTED_SENDER_PREFIX}{body.sender}" if trusted else body.sender,
        text=body.message,
        metadata=metadata,
        brand=brand,
        message_key=body.message_id,
    )
    result = await router_.handle_customer_message(inbound)
    if not result.bot_available:
        response.status_code = 503
        response.headers["Retry-After"] = "30"
    return [BotMessageOut(recipient_id=body.sender, **reply.as_dict()) for reply in result.replies]
