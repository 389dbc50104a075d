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
