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
