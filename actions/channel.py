"""What the gateway tells the actions about the channel, from the latest user message's metadata.

The gateway sets these keys; Rasa listens on loopback only, so they cannot be forged by a customer.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker

from actions.tracker import latest_metadata


@dataclass(frozen=True)
class ChannelFacts:
    channel: str | None
    verified_phone: str | None  # E.164, proven by the channel (WhatsApp sender), else None
    brand: str | None


def channel_facts(tracker: Tracker) -> ChannelFacts:
    metadata = latest_metadata(tracker)
    return ChannelFacts(
        channel=metadata.get("channel"),
        verified_phone=metadata.get("verified_phone"),
        brand=metadata.get("brand"),
    )
