"""The staff returns API: decisions with their rules, history and masked phones."""

from __future__ import annotations

from bot.services.evidence import StoredEvidence
from bot.services.orders import get_order_backend
from bot.services.returns import submit_return
from bot.store import db

STAFF = {"Authorization": "Bearer integrator-secret"}
PHOTO = StoredEvidence("http://media/1.jpg", "evidence/1.jpg", "image/jpeg", 120, "a" * 64)


def _submit(quantity: int = 2) -> str:
    order = get_order_backend().get_order("UK-2611-002463")
    with db.session_scope() as session:
        return submit_return(
            session,
            order=order,
            line=order.items[0],
            quantity=quantity,
            description="jahitan robek",
            evidence=[("barang", PHOTO), ("dokumen", PHOTO)],
            channel="rest",
            conversation_id="c1",
            window_hours=72,
        ).number


def test_staff_only(client_without_rasa):
    assert client_without_rasa.get("/api/agent/returns").status_code == 401
    assert client_without_rasa.post("/api/agent/returns/RTR-2612-AAAAA/complete", json={}).status_code == 401


def test_reject_then_resubmit_then_approve_with_a_lower_quantity(client_without_rasa):
    number = _submit()
    listed = client_without_rasa.get("/api/agent/returns", headers=STAFF).json()
    assert [r["number"] for r in listed] == [number]
    assert listed[0]["customer_phone"] == "+62895****7408"
    assert [e["kind"] for e in listed[0]["evidence"]] == ["barang", "dokumen"]
    no_reason = client_without_rasa.post(
        f"/api/agent/returns/{number}/decision", json={"approve": False, "agent": "dewi"}, headers=STAFF
    )
    assert no_reason.status_code == 409
    rejected = client_without_rasa.post(
        f"/api/agent/returns/{number}/decision",
        json={"approve": False, "agent": "dewi", "reason": "foto buram"},
        headers=STAFF,
    ).json()
    assert rejected["status"] == "ditolak"

    second = _submit()
    too_many = client_without_rasa.post(
        f"/api/agent/returns/{second}/decision",
        json={"approve": True, "agent": "dewi", "outcome": "kirim_ulang", "accepted_quantity": 3},
        headers=STAFF,
    )
    assert too_many.status_code == 409
    approved = client_without_rasa.post(
        f"/api/agent/returns/{second}/decision",
        json={"approve": True, "agent": "dewi", "outcome": "kirim_ulang", "accepted_quantity": 1},
        headers=STAFF,
    ).json()
    assert (approved["status"], approved["quantity_accepted"], approved["attempt"]) == ("dikirim_ulang", 1, 2)
    done = client_without_rasa.post(
        f"/api/agent/returns/{second}/complete", json={"agent": "dewi"}, headers=STAFF
    ).json()
    assert [e["kind"] for e in done["events"]] == ["diajukan", "disetujui", "dikirim_ulang", "selesai"]
    assert client_without_rasa.get("/api/agent/returns/RTR-2612-ZZZZZ", headers=STAFF).status_code == 404
