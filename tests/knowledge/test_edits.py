"""Console edits over the FAQ topic files: what each kind does, how the answer names its source, and the
export that keeps them for `make index` and the next training (replaying an exported edit changes nothing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.edits import TopicEdit, apply_edits, export
from knowledge.faq import FAQ_DIR, TIM_CS, FaqTopic, load_topics
from knowledge.rasa_data import render

WAREHOUSE = TopicEdit(
    "topic",
    "cs_alamat_gudang_bogor",
    "Sari",
    question="Di mana alamat gudang AksesToko di Bogor?",
    answer="Gudang AksesToko di Bogor ada di Jl. Contoh No. 1, Kak.",
    brand="aksestoko",
)
EDITS = [
    WAREHOUSE,
    TopicEdit("phrasing", "cs_alamat_gudang_bogor", "Sari", text="gudang aksestoko bogor dmn min"),
    TopicEdit("phrasing", "at_payment_methods", "Sari", text="aksestoko bisa bayar pakai qris ga"),
    TopicEdit("answer", "at_pay_existing_order", "Dewi", text="Buka menu Pemesanan lalu pilih Bayar, Kak."),
    TopicEdit("phrasing", "no_such_topic", "Sari", text="diabaikan"),
]


def test_each_kind_of_edit() -> None:
    before = {t.topic: t for t in load_topics()}
    after = {t.topic: t for t in apply_edits(load_topics(), EDITS)}

    warehouse = after["cs_alamat_gudang_bogor"]
    assert (warehouse.document, warehouse.brand, warehouse.answered_by) == (TIM_CS, "aksestoko", "Sari")
    assert warehouse.examples == ("gudang aksestoko bogor dmn min",)
    assert warehouse.reply.endswith("\n\nSumber: Tim CS (Sari)")

    methods = after["at_payment_methods"]
    assert methods.examples == (*before["at_payment_methods"].examples, "aksestoko bisa bayar pakai qris ga")
    assert methods.answer == before["at_payment_methods"].answer
    assert methods.answered_by is None

    rewritten = after["at_pay_existing_order"]
    assert rewritten.answer == "Buka menu Pemesanan lalu pilih Bayar, Kak."
    assert rewritten.source == (
        "Tim CS (Dewi), berdasarkan FAQ AksesToko — "
        "Bagaimana cara melakukan pembayaran dari Order yang sudah dibuat"
    )
    assert "no_such_topic" not in after
    assert len(after) == len(before) + 1


def test_a_wording_the_topic_knows_is_not_added_twice() -> None:
    known = load_topics()[0]
    again = TopicEdit("phrasing", known.topic, "Sari", text=f"  {known.examples[0].upper()} ")
    (topic,) = [t for t in apply_edits(load_topics(), [again]) if t.topic == known.topic]
    assert topic.examples == known.examples


def test_an_edit_without_its_text_is_refused() -> None:
    with pytest.raises(ValueError, match="text"):
        TopicEdit("phrasing", "at_payment_methods", "Sari", text=" ")
    with pytest.raises(ValueError, match="brand"):
        TopicEdit("topic", "cs_x", "Sari", question="Apa?", answer="Ini.")


def by_name(topic: FaqTopic) -> str:
    return topic.topic


def test_export_keeps_the_edits_for_the_index_and_training(tmp_path: Path) -> None:
    directory = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, directory)
    edited = apply_edits(load_topics(directory), EDITS)

    changed = export(edited, directory)

    assert sorted(p.name for p in changed) == ["aksestoko_faq.yml", "tim_cs.yml"]  # the other files untouched
    for name in {p.name for p in FAQ_DIR.glob("*.yml")} - {"aksestoko_faq.yml"}:
        assert (directory / name).read_text() == (FAQ_DIR / name).read_text()
    load_topics.cache_clear()
    exported = load_topics(directory)
    # what the index (make index) and the generated NLU data are built from; console topics sort by file
    assert sorted(exported, key=by_name) == sorted(edited, key=by_name)
    assert apply_edits(exported, EDITS) == exported  # replaying the stored edits changes nothing now
    assert export(exported, directory) == []
    assert "gudang aksestoko bogor dmn min" in render(exported)  # the next training sees the wording
