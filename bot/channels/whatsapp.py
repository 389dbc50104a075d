"""WhatsApp through Twilio: POST /webhooks/whatsapp (messages) and /webhooks/whatsapp/status (delivery).

Every request must carry a valid `X-Twilio-Signature` for the public URL Twilio called; anything else is
refused with 403 before a byte is stored. An inbound message is stored under its MessageSid (a retried
delivery is recognised) and answered in the background, so Twilio gets its empty TwiML at once. Replies go
out through the outbox (bot/channels/whatsapp_outbox.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator

from bot.api.deps import BackgroundDep, LimitsDep, RouterDep, SessionsDep, SettingsDep
from bot.channels.whatsapp_outbox import record_delivery_status
from bot.config import Settings
from bot.conversations.texts import MEDIA_ONLY_TEXT
from bot.conversations.turns import ConversationRouter
from bot.conversations.types import AnswerWith, Inbound, LeaveUnanswered
from bot.infra.ratelimit import rate_limited_text
from bot.services.evidence import ALLOWED_TYPES
from bot.services.identity import normalize_phone

log = logging.getLogger(__name__)

router = APIRouter(tags=["whatsapp"])

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_FORM_BYTES = 64_000  # Twilio's form for one message is a few kB
MAX_BODY_CHARS = 4096
STORE_RETRY_SECONDS = 600  # how long a message is kept in memory while the database refuses writes
OUR_NUMBER = re.compile(r"\+?[0-9]{5,15}")  # the shop's number the customer wrote to (E.164)
MAX_MEDIA = 10  # WhatsApp sends one file per message; Twilio's form allows up to 10
DELIVERY_STATUSES = frozenset(
    {"accepted", "queued", "sending", "sent", "delivered", "read", "failed", "undelivered"}
)

LOCATION_TEXT = (
    "Terima kasih, Kak. Lokasi yang Kakak kirim sudah kami terima, tetapi saat ini kami belum bisa "
    "memprosesnya lewat chat. Untuk cek pesanan, cukup kirimkan nomor pesanannya ya."
)
UNSUPPORTED_MEDIA_TEXT = (
    "Maaf Kak, berkas jenis itu belum bisa kami terima (termasuk pesan suara). Kami bisa menerima foto "
    "(JPG/PNG/WEBP), video MP4, atau dokumen PDF. Untuk pertanyaan, silakan diketik ya, Kak."
)


def public_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path (+ query), since behind a proxy the request's own
    scheme and host are not the ones Twilio used."""
    if not settings.public_base_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{settings.public_base_url.rstrip('/')}{request.url.path}{query}"


async def signed_form(request: Request, settings: SettingsDep) -> dict[str, str]:
    """Twilio's form fields, once the signature over them has been checked."""
    if not settings.whatsapp_enabled:
        raise HTTPException(
            503, "the WhatsApp channel is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)"
        )
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_FORM_BYTES):
        raise HTTPException(413, f"form larger than {MAX_FORM_BYTES} bytes")
    signature = request.headers.get("x-twilio-signature")
    if not signature:
        raise HTTPException(403, "missing X-Twilio-Signature")
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        raise HTTPException(403, "Twilio signs form-encoded requests only")
    form = await request.form(max_files=0)
    params = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    assert settings.twilio_auth_token is not None
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    if not validator.validate(public_url(request, settings), params, signature):
        raise HTTPException(403, "invalid X-Twilio-Signature")
    if params.get("AccountSid") not in (None, settings.twilio_account_sid):
        raise HTTPException(403, "message for another Twilio account")
    return params


SignedForm = Annotated[dict[str, str], Depends(signed_form)]


def _media(params: dict[str, str]) -> tuple[list[dict[str, str]], bool]:
    """Files we accept as {"url", "content_type"}, and whether any other file came along."""
    try:
        count = min(int(params.get("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        raise HTTPException(400, "NumMedia is not a number") from None
    accepted, unsupported = [], False
    for i in range(count):
        url = params.get(f"MediaUrl{i}", "")
        content_type = params.get(f"MediaContentType{i}", "").split(";")[0].strip().lower()
        if not url.startswith(("https://", "http://")):
            raise HTTPException(400, f"MediaUrl{i} missing or not a URL")
        if content_type in ALLOWED_TYPES:
            accepted.append({"url": url, "content_type": content_type})
        else:
            unsupported = True
    return accepted, unsupported


def inbound_from_form(params: dict[str, str], settings: Settings) -> Inbound:
    sid = params.get("MessageSid") or params.get("SmsMessageSid")
    sender = params.get("From", "")
    phone = normalize_phone(sender.removeprefix("whatsapp:")) if sender.startswith("whatsapp:") else None
    if not sid or len(sid) > 64 or phone is None:
        raise HTTPException(400, "MessageSid and a From of the form whatsapp:+<number> are required")
    ours = params.get("To", "").removeprefix("whatsapp:") or None
    if ours is not None and not OUR_NUMBER.fullmatch(ours):
        raise HTTPException(400, "To must be of the form whatsapp:+<number>")
    brand = settings.whatsapp_brands.get(ours or "")
    media, unsupported = _media(params)
    # A tapped quick reply of a template carries its payload; otherwise the text the customer typed.
    text = (params.get("ButtonPayload") or params.get("Body") or "").strip()[:MAX_BODY_CHARS]
    metadata: dict[str, Any] = {"channel": "whatsapp", "verified_phone": phone}
    if brand:
        metadata["brand"] = brand
    instead: AnswerWith | None = None
    if params.get("Latitude") and params.get("Longitude"):
        metadata["location"] = {"latitude": params["Latitude"], "longitude": params["Longitude"]}
        instead = AnswerWith(LOCATION_TEXT)
    elif unsupported and not media:
        instead = AnswerWith(UNSUPPORTED_MEDIA_TEXT)
    if media:
        metadata["media"] = media
        text = text or MEDIA_ONLY_TEXT
    return Inbound(
        channel="whatsapp",
        external_id=f"whatsapp:{phone}",
        text=text,
        metadata=metadata,
        brand=brand,
        message_key=sid,
        channel_address=ours and f"whatsapp:{ours}",
        instead=instead,
    )


@router.post(
    "/webhooks/whatsapp",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "Empty TwiML: the reply comes later."},
        400: {"description": "Signed but not a WhatsApp message."},
        403: {"description": "Missing or invalid X-Twilio-Signature."},
        503: {
            "description": "The WhatsApp channel is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)."
        },
    },
)
async def whatsapp_inbound(
    params: SignedForm,
    settings: SettingsDep,
    router_: RouterDep,
    background: BackgroundDep,
    limits: LimitsDep,
) -> Response:
    """Twilio's incoming-message webhook: store the message, answer it in the background."""
    inbound = inbound_from_form(params, settings)
    # Twilio does not send a message again, so one over the sender's limit is stored all the same (an agent
    # sees it) but not answered by the bot; the customer is told once per window to wait and resend.
    verdict = await limits.check(sender=inbound.external_id, address=None)
    if not verdict.allowed:
        told = AnswerWith(rate_limited_text(verdict.retry_after))
        inbound = replace(inbound, instead=told if verdict.first_refusal else LeaveUnanswered())
    try:
        received = await router_.receive(inbound)
    except OperationalError as exc:
        # Twilio will not send it again: keep it in memory and store it once the database takes writes.
        log.error(
            "database unavailable for WhatsApp message %s (%s); storing it later",
            inbound.message_key,
            exc.orig,
        )
        background.spawn(_store_when_possible(router_, inbound))
        return Response(EMPTY_TWIML, media_type="application/xml")
    # Also for a repeated MessageSid: answering is a no-op when the first delivery was answered already.
    background.spawn(router_.answer_pending(received.conversation_id))
    return Response(EMPTY_TWIML, media_type="application/xml")


async def _store_when_possible(router_: ConversationRouter, inbound: Inbound) -> None:
    """Try again with growing pauses for about STORE_RETRY_SECONDS; a message kept only in this process's
    memory is lost if the process dies meanwhile (logged)."""
    delay, waited = 1.0, 0.0
    while waited < STORE_RETRY_SECONDS:
        await asyncio.sleep(delay)
        waited += delay
        try:
            received = await router_.receive(inbound)
        except OperationalError:
            delay = min(delay * 2, 30.0)
            continue
        await router_.answer_pending(received.conversation_id)
        return
    log.error("WhatsApp message %s could not be stored in %.0f s and is lost", inbound.message_key, waited)


@router.post(
    "/webhooks/whatsapp/status",
    status_code=204,
    response_class=Response,
    responses={
        400: {"description": "Signed but not a delivery status."},
        403: {"description": "Missing or invalid X-Twilio-Signature."},
        503: {
            "description": "The WhatsApp channel is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)."
        },
    },
)
async def whatsapp_status(params: SignedForm, sessions: SessionsDep) -> Response:
    """Twilio's status callback for a message we sent: queued, sent, delivered, read, failed, …"""
    sid, status = params.get("MessageSid"), (params.get("MessageStatus") or "").lower()
    if not sid or status not in DELIVERY_STATUSES:
        raise HTTPException(400, "MessageSid and a known MessageStatus are required")
    await run_in_threadpool(record_delivery_status, sessions, sid, status, params.get("ErrorCode") or None)
    return Response(status_code=204)
