import time

import pytest


def test_knowledge_search_api_returns_ranked_sourced_passages(client_without_rasa):
    response = client_without_rasa.get(
        "/api/knowledge/search", params={"q": "biaya transfer pencairan dana bank lain", "k": 3}
    )
    assert response.status_code == 200
    hits = response.json()
    assert len(hits) == 3
    assert {"doc", "section", "score", "text"} <= set(hits[0])
    assert any("Rp 4.500" in h["text"] for h in hits)


@pytest.mark.parametrize(
    "params", [{"q": ""}, {"q": "x", "k": 0}, {"q": "x", "k": 500}, {"q": "x", "brand": "tokopedia"}]
)
def test_knowledge_search_rejects_bad_parameters(client_without_rasa, params):
    assert client_without_rasa.get("/api/knowledge/search", params=params).status_code == 422


def test_unanswered_questions_are_listed_for_staff_only_newest_first(client_without_rasa):
    from bot.services.unanswered import record_unanswered
    from bot.store.db import session_scope

    with session_scope() as session:
        for question in ("alamat gudang di bekasi dmn", "hubungi sy di 0813-2274-0915 ya"):
            record_unanswered(
                session,
                question=question,
                conversation_id="c1",
                channel="rest",
                brand=None,
                intent="nlu_fallback",
                top_score=0.81,
            )
    assert client_without_rasa.get("/api/knowledge/unanswered").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client_without_rasa.get("/api/knowledge/unanswered", headers=wrong).status_code == 401
    staff = {"Authorization": "Bearer integrator-secret"}
    rows = client_without_rasa.get("/api/knowledge/unanswered", headers=staff).json()
    assert [r["intent"] for r in rows] == ["nlu_fallback", "nlu_fallback"]
    assert rows[0]["question"].startswith("hubungi sy di")
    assert "2274-0915" not in rows[0]["question"]  # phone numbers are masked in the log
    assert rows[1]["question"] == "alamat gudang di bekasi dmn"


QUESTION = "alamat gudang aksestoko di bogor dimana ya"


def _top_hit(client, question: str) -> dict:
    response = client.get("/api/knowledge/search", params={"q": question, "k": 1, "brand": "aksestoko"})
    assert response.status_code == 200, response.text
    return response.json()[0]


def _unanswered(*questions: str) -> list[int]:
    from bot.services.unanswered import record_unanswered
    from bot.store.db import session_scope

    with session_scope() as session:
        rows = [
            record_unanswered(
                session,
                question=q,
                conversation_id="c1",
                channel="whatsapp",
                brand="aksestoko",
                intent="faq",
                top_score=0.87,
            )
            for q in questions
        ]
        session.flush()
        return [row.id for row in rows]


def test_a_supervisor_answers_an_unanswered_question_and_retrieval_uses_it_without_a_restart(
    client_without_rasa,
):
    from bot.ops.seed import seed_agents
    from bot.store.db import session_scope
    from bot.store.models import UnansweredQuestion
    from tests.bot.console.conftest import Console

    with session_scope() as session:
        seed_agents(session)
    ids = _unanswered(QUESTION, "gudang aksestoko bogor dmn min")
    client = client_without_rasa
    assert "Tim CS" not in _top_hit(client, QUESTION)["text"]

    sari = Console(client.app, "sari", "sari-demo-123")
    created = sari.post(
        "/api/knowledge/topics",
        json={
            "question": "Di mana alamat gudang AksesToko di Bogor?",
            "answer": "Gudang AksesToko di Bogor ada di Jl. Contoh No. 1, Kak.",
            "brand": "aksestoko",
            "phrasings": ["gudang aksestoko bogor dmn min"],
            "unanswered_ids": ids,
        },
    )
    assert created.status_code == 201, created.text
    topic = created.json()
    assert topic["topic"].startswith("cs_di_mana_alamat_gudang")
    assert topic["source"] == "Tim CS (Sari)"
    assert topic["examples"] == ["gudang aksestoko bogor dmn min"]
    assert [e["kind"] for e in topic["history"]] == ["phrasing", "topic"]  # newest first
    assert {e["author"] for e in topic["history"]} == {"Sari"}

    deadline = time.monotonic() + 60  # the gateway's knowledge is rebuilt in the background and swapped
    while (hit := _top_hit(client, QUESTION))["id"] != topic["topic"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert hit["id"] == topic["topic"]
    assert hit["text"].endswith("Sumber: Tim CS (Sari)")
    with session_scope() as session:
        handled = session.query(UnansweredQuestion).filter(UnansweredQuestion.id.in_(ids)).all()
        assert {(q.handled_topic, q.handled_at is not None) for q in handled} == {(topic["topic"], True)}

    # a wording for a document's topic, and a rewritten answer that names its author and its document
    added = sari.post("/api/knowledge/topics/at_payment_methods/phrasings", json={"text": "bisa bayar qris?"})
    assert added.status_code == 200, added.text
    assert added.json()["examples"][-1] == "bisa bayar qris?"
    old_answer = added.json()["answer"]
    rewritten = sari.post(
        "/api/knowledge/topics/at_payment_methods/answer", json={"answer": "Transfer bank, Kak."}
    )
    assert rewritten.status_code == 200, rewritten.text
    assert rewritten.json()["source"].startswith("Tim CS (Sari), berdasarkan FAQ AksesToko — ")
    history = sari.get("/api/knowledge/edits").json()
    assert [(e["kind"], e["topic"]) for e in history][:2] == [
        ("answer", "at_payment_methods"),
        ("phrasing", "at_payment_methods"),
    ]
    assert history[0]["previous"] == old_answer

    # who may change what, and what is refused
    dewi = Console(client.app, "dewi", "dewi-demo-123")  # an agent reads, does not change
    assert dewi.get("/api/knowledge/topics", params={"q": "gudang bogor"}).status_code == 200
    assert (
        dewi.post("/api/knowledge/topics/at_payment_methods/phrasings", json={"text": "x"}).status_code == 403
    )
    assert sari.post("/api/knowledge/topics/tidak_ada/phrasings", json={"text": "x"}).status_code == 404
    bad_brand = {"question": "Apa?", "answer": "Ini.", "brand": "tokopedia"}
    assert sari.post("/api/knowledge/topics", json=bad_brand).status_code == 422
    assert (
        sari.post("/api/knowledge/topics/at_payment_methods/answer", json={"answer": "  "}).status_code == 422
    )
    assert sari.get("/api/knowledge/topics/at_payment_methods").json()["answer"] == "Transfer bank, Kak."


def test_topics_are_listed_nearest_first(client_without_rasa):
    staff = {"Authorization": "Bearer integrator-secret"}
    found = client_without_rasa.get(
        "/api/knowledge/topics", params={"q": "metode pembayaran aksestoko"}, headers=staff
    )
    assert found.status_code == 200
    assert found.json()[0]["topic"] == "at_payment_methods"
    assert len(found.json()) <= 10
    everything = client_without_rasa.get("/api/knowledge/topics", headers=staff).json()
    assert len(everything) >= 150
    assert client_without_rasa.get("/api/knowledge/topics/tidak_ada", headers=staff).status_code == 404
