"""Sending WhatsApp messages through the official `twilio` client, and what its errors mean for a retry."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.config import Settings

SEND_TIMEOUT_SECONDS = 10.0
# The client logs every request at INFO, recipients' phone numbers included: ours are masked, its are muted.
_TWILIO_LOG = logging.getLogger("twilio.http_client")
_TWILIO_LOG.setLevel(logging.WARNING)


class SendFailed(Exception):
    """Twilio did not accept the message. `retryable` says whether trying again later can help."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.retryable = retryable


@dataclass(frozen=True)
class OutgoingMessage:
    to: str  # whatsapp:+62…
    from_: str  # whatsapp:+1415…
    body: str | None = None
    media_url: str | None = None
    template_sid: str | None = None  # send the approved template with the body as its {{1}}


class TwilioSender:
    """Blocking (requests-based) like the client it wraps: call it off the event loop."""

    def __init__(self, settings: Settings) -> None:
        if not settings.whatsapp_enabled:
            raise ValueError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are needed to send WhatsApp messages")
        assert settings.twilio_auth_token is not None
        self._client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            http_client=TwilioHttpClient(timeout=SEND_TIMEOUT_SECONDS, logger=_TWILIO_LOG),
        )
        # The API host is configurable so tests (and a regional proxy) can stand in for api.twilio.com.
        self._client.api.base_url = settings.twilio_api_base_url.rstrip("/")
        self._status_callback = (
            f"{settings.public_base_url.rstrip('/')}/webhooks/whatsapp/status"
            if settings.public_base_url
            else None
        )

    def send(self, message: OutgoingMessage) -> str:
        """Twilio's SID for the accepted message; raises SendFailed."""
        kwargs: dict[str, object] = {"to": message.to, "from_": message.from_}
        if message.template_sid:
            kwargs["content_sid"] = message.template_sid
            kwargs["content_variables"] = json.dumps({"1": (message.body or "")[:1000]})
        else:
            if message.body:
                kwargs["body"] = message.body
            if message.media_url:
                kwargs["media_url"] = [message.media_url]
        if self._status_callback:
            kwargs["status_callback"] = self._status_callback
        try:
            created = self._client.messages.create(**kwargs)
        except TwilioRestException as exc:
            # 429 and 5xx are Twilio's trouble; other 4xx (an invalid number, 63016 outside the window)
            # do not change by trying again.
            retryable = exc.status == 429 or exc.status >= 500
            raise SendFailed(f"twilio {exc.status} code={exc.code}: {exc.msg}", retryable=retryable) from exc
        except (TwilioException, OSError, ValueError) as exc:  # requests' errors are OSErrors
            raise SendFailed(f"twilio unreachable: {type(exc).__name__}", retryable=True) from exc
        return str(created.sid)
