"""Every process restarted in the middle of a complaint and of a return: nothing already given is lost,
numbers and history stay. Rasa keeps the conversation in its SQL tracker store, we keep ours in the DB."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.ops.stack import Stack
from bot.services.returns import find_return
from bot.store.db import session_scope
from bot.store.models import Complaint
from tests.e2e.test_conversations import Chat
from tests.fakes.media_server import JPEG, PDF, MediaServer

pytestmark = pytest.mark.e2e

TICKET = re.compile(r"PGD-\d{4}-[2-9A-HJ-NP-Z]{5}")
RETURN = re.compile(r"RTR-\d{4}-[2-9A-HJ-NP-Z]{5}")


def restart_everything(stack: Stack) -> None:
    for name in ("gateway", "actions", "rasa"):
        stack.stop_service(name)
    for name in ("rasa", "actions", "gateway"):
        stack.start_service(name)


@pytest.fixture(scope="module")
def media() -> Iterator[MediaServer]:
    with MediaServer().running() as server:
        yield server


def test_a_complaint_and_a_return_survive_a_restart_of_every_process(gateway, stack, stack_db, media):
    complaint = Chat(gateway)
    complaint.say("saya mau komplain kak")
    complaint.say("Dewi Lestari")
    owner = "+6289512637408"  # owner of UK-2611-002463, delivered
    goods = Chat(gateway, metadata={"channel": "whatsapp", "verified_phone": owner}, trusted=True)
    goods.say("kak barang dr pesanan UK-2611-002463 ada yg robek, mau retur")
    goods.press("Kaos")
    goods.say("1")
    goods.say("kaosnya bolong di bagian lengan")
    photo = media.add("kaos.jpg", "image/jpeg", JPEG)
    assert "SPJ" in goods.say("ini fotonya", media=[{"url": photo, "content_type": "image/jpeg"}])

    restart_everything(stack)

    assert "nomor pesanannya" in complaint.say("0812-3450-0099")  # the name was not asked again
    complaint.say("tidak ada")
    reply = complaint.say("cs tidak membalas pesan saya selama seminggu padahal refund belum masuk")
    number = TICKET.search(reply).group(0)
    spj = media.add("spj-kaos.pdf", "application/pdf", PDF)
    submitted = goods.say("ini resinya", media=[{"url": spj, "content_type": "application/pdf"}])
    return_number = RETURN.search(submitted).group(0)
    with session_scope() as session:
        ticket = session.scalar(select(Complaint).where(Complaint.number == number))
        assert ticket.customer_name == "Dewi Lestari"
        request = find_return(session, return_number)
        assert (request.item_sku, request.quantity_reported) == ("KOS-CMB-30S-L", 1)
        assert sorted(e.kind for e in request.evidence) == ["barang", "dokumen"]

    restart_everything(stack)

    status = Chat(gateway)
    status.say(f"status tiket {number}")
    assert number in status.say("0812-3450-0099")
    assert "Kaos" in goods.say(f"status retur {return_number}")
