"""make export-knowledge: the console's edits land in the FAQ topic files and in Rasa's generated faq
examples, once (a second export changes nothing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.ops import export_knowledge
from bot.services.knowledge_edits import record_edit
from bot.store import db
from knowledge.faq import FAQ_DIR, load_topics
from knowledge.rasa_data import NLU_FILE
from tests.factories import a_console_topic


def test_edits_are_exported_to_the_topic_files_and_the_nlu_data(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    faq_dir, nlu_file = tmp_path / "faq", tmp_path / "faq_nlu.yml"
    shutil.copytree(FAQ_DIR, faq_dir)
    shutil.copy(NLU_FILE, nlu_file)
    monkeypatch.setattr(export_knowledge, "FAQ_DIR", faq_dir)
    monkeypatch.setattr(export_knowledge, "NLU_FILE", nlu_file)
    with db.session_scope() as session:
        name = a_console_topic(session)
        record_edit(
            session,
            kind="phrasing",
            topic="at_payment_methods",
            text="bisa qris?",
            author="Sari",
            author_id=None,
        )

    export_knowledge.main([])

    written = capsys.readouterr().out
    assert "tim_cs.yml" in written
    assert "aksestoko_faq.yml" in written
    assert "faq_nlu.yml" in written
    tim_cs = yaml.safe_load((faq_dir / "tim_cs.yml").read_text())
    assert [t["topic"] for t in tim_cs["topics"]] == [name]
    assert tim_cs["topics"][0]["answered_by"] == "Sari"
    load_topics.cache_clear()
    exported = {t.topic: t for t in load_topics(faq_dir)}
    assert exported[name].reply.endswith("Sumber: Tim CS (Sari)")
    assert exported["at_payment_methods"].examples[-1] == "bisa qris?"
    nlu = nlu_file.read_text()
    assert "Di mana alamat gudang AksesToko di Bogor?" in nlu
    assert "gudang aksestoko bogor dmn" in nlu

    export_knowledge.main([])
    assert "already hold every console edit" in capsys.readouterr().out
    load_topics.cache_clear()
