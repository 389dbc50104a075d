"""What the forms that prove ownership (order status, returns, ticket status) share."""

from __future__ import annotations

from rasa_sdk import Tracker


def owner_checked_slots(
    domain_slots: list[str],
    tracker: Tracker,
    *,
    verified_slot: str,
    contact_slot: str,
    failures: float,
    max_failures: int,
) -> list[str]:
    """Stop asking after max_failures misses; skip the contact question once ownership is proven."""
    if failures >= max_failures:
        return []  # the form ends; its final action explains what to do instead
    if tracker.get_slot(verified_slot):
        return [slot for slot in domain_slots if slot != contact_slot]
    return domain_slots
