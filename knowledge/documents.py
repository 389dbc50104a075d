"""The help-centre documents the assistant answers from, and the platform (brand) each belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class Document:
    file: str
    brand: str
    platform: str  # how customers name the platform
    title: str  # how an answer names its source


DOCUMENTS: tuple[Document, ...] = (
    Document("usahaku99_faq.txt", "usahaku99", "99% Usahaku", "FAQ 99% Usahaku"),
    Document("aksestoko_faq.txt", "aksestoko", "AksesToko", "FAQ AksesToko"),
    Document(
        "logistik_keluhan_seller.txt",
        "seller_center",
        "Seller Center marketplace",
        "Panduan Keluhan Logistik Seller",
    ),
    Document("pengaduan_pojk18_cankul.txt", "cankul", "Cankul", "Prosedur Pengaduan Cankul (POJK 18/2018)"),
    Document(
        "perhutani_syarat_ketentuan.txt",
        "perhutani",
        "Perhutani (penjualan online)",
        "S&K Penjualan Online Perhutani",
    ),
)
BY_FILE = {d.file: d for d in DOCUMENTS}
BRANDS = frozenset(d.brand for d in DOCUMENTS)


def read_document(document: Document) -> str:
    return (CORPUS_DIR / document.file).read_text(encoding="utf-8")
