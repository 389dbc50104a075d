"""Who is asking: phone and e-mail normalisation and the ownership check for orders."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import ColumnElement, or_

from bot.services.order_records import OrderRecord
from bot.store.models import Complaint, ReturnRequest

EMAIL_PATTERN = re.compile(r"[A-Z0-9._%+\-]+@[A-Z0-9.\-]+\.[A-Z]{2,}", re.IGNORECASE)
# Digits with the separators people type in phone numbers: "+62 812-3456-7890", "0812 3456 7890".
_PHONE_CANDIDATE = re.compile(r"\+?\d[\d\s\-.()]{7,18}\d")


def normalize_phone(text: str | None) -> str | None:
    """E.164 form of the first valid Indonesian-style phone number in text (+62/62/08 forms), or None."""
    if not text:
        return None
    for candidate in _PHONE_CANDIDATE.findall(text):
        raw = re.sub(r"[^\d+]", "", candidate)
        if raw.startswith("62"):
            raw = "+" + raw
        try:
            number = phonenumbers.parse(raw, "ID")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def extract_email(text: str | None) -> str | None:
    match = EMAIL_PATTERN.search(text or "")
    return match.group(0).lower() if match else None


def mask_phone(phone: str | None) -> str:
    """+6281234567890 -> +62812****7890, for logs and for telling a customer which number we mean."""
    if not phone:
        return "-"
    return phone[:6] + "*" * max(len(phone) - 10, 2) + phone[-4:] if len(phone) > 10 else "****"


@dataclass(frozen=True)
class ContactCheck:
    given: bool  # the text contained a phone number or an e-mail at all
    matches: bool


def check_contact(order: OrderRecord, text: str | None) -> ContactCheck:
    """Does the phone number or e-mail in text belong to the order's customer?"""
    phone = normalize_phone(text)
    email = extract_email(text)
    if phone is None and email is None:
        return ContactCheck(given=False, matches=False)
    phone_ok = phone is not None and phone == order.customer_phone
    email_ok = (
        email is not None and order.customer_email is not None and email == order.customer_email.lower()
    )
    return ContactCheck(given=True, matches=phone_ok or email_ok)


def is_owner_phone(order: OrderRecord, phone: str | None) -> bool:
    """True when a channel-verified phone number is the order's phone number."""
    return phone is not None and normalize_phone(phone) == order.customer_phone


def asked_by_owner(
    case: Complaint | ReturnRequest, *, conversation_id: str | None, verified_phone: str | None
) -> bool:
    """Whether the customer asking may see this case: it was filed in this conversation, or the channel
    proved the phone on it. The same rule as filed_by_asker, for one row."""
    if conversation_id is not None and case.conversation_id == conversation_id:
        return True
    phone = normalize_phone(verified_phone)
    return phone is not None and phone == case.customer_phone


def filed_by_asker(
    cases: type[Complaint] | type[ReturnRequest], *, conversation_id: str | None, verified_phone: str | None
) -> ColumnElement[bool] | None:
    """The SQL condition for a customer's own cases (complaints, returns) when they name none: filed in
    this conversation, or on the phone the channel proved (asked_by_owner's rule). None when neither is
    known."""
    mine = []
    if conversation_id is not None:
        mine.append(cases.conversation_id == conversation_id)
    phone = normalize_phone(verified_phone)
    if phone is not None:
        mine.append(cases.customer_phone == phone)
    return or_(*mine) if mine else None
