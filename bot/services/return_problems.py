"""What is wrong with the goods a customer wants to return, read from their own words.

99% Usahaku's help centre ("Apa yang saya harus lakukan jika menerima barang rusak/salah?") names the kinds a
complaint about received goods takes: damaged or not working, not what was ordered (colour, type, item),
expired, and fewer than ordered. The return form asks its questions in the words of the kind the customer
told ("Berapa jumlah barang yang tidak sesuai pesanan?", not "… yang rusak?" for a wrong colour); a message
that names no kind gets the form's neutral wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class ReturnProblem(StrEnum):
    damaged = "damaged"
    wrong_item = "wrong_item"
    expired = "expired"
    missing = "missing"


_NEGATION = re.compile(r"^(?:ga|gak|gk|nggak|ngga|enggak|engga|tidak|tdk|bukan|bkn|belum|blm|tanpa)$", re.I)
_WORD = re.compile(r"\w+")
_NOT = r"(?:ga|gak|gk|nggak|ngga|enggak|engga|tidak|tdk|gabisa|ga bisa|gak bisa|tidak bisa|tdk bisa)"
_ONLY = r"(?:cuma|cuman|cmn|cm|hanya|hny)"
_ARRIVED = r"(?:dateng|datang|dtg|dapet|dapat|dpt|nyampe|sampai|sampe|dikirim|ada|isi)"
_ASPECT = r"(?:warna|ukuran|size|tipe|type|model|varian|judul|merk|merek|kode|motif|rasa)"
_ORDERED = r"(?:pesan\w*|pesen\w*|order\w*|di ?pesan|di ?order|beli|dibeli|deskripsi|foto|gambar)"


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# In the order they are tried: a message that names two kinds ("karungnya sobek, beratnya kurang") is
# about the first (the cause), and damage comes first; what was ordered set against what came is tried last.
_KINDS: tuple[tuple[ReturnProblem, re.Pattern[str]], ...] = (
    (
        ReturnProblem.damaged,
        _any(
            r"rusak\w*|pecah\w*|retak\w*|hancur\w*|remuk|penyok\w*|peyok\w*|sobek\w*|robek\w*|bocor\w*",
            r"cacat\w*|patah\w*|bengkok\w*|lecet\w*|tumpah\w*|basah\w*|berjamur|jamuran|busuk|baret\w*",
            r"gores\w*|copot|putus|karat\w*|basi|bolong\w*|noda|bercak|gembung|menggembung|meleleh|gompel",
            r"terkelupas|mati|macet|error|eror|reject|dead pixel|bergaris|lusuh|kempes",
            r"damaged|defect\w*|broken",
            _NOT + r"\s*(?:berfungsi|nyala|menyala|hidup|jalan|bisa dipakai|bisa dipake|bisa di ?pake)",
            _NOT
            + r"\s*(?:ngecas|ngecharge|connect|konek|kebaca|terbaca|kedetect|kedeteksi|terdeteksi|dingin)",
        ),
    ),
    (
        ReturnProblem.expired,
        _any(r"kadaluarsa\w*|kadaluwarsa\w*|kedaluwarsa\w*|kedaluarsa\w*|expire\w*|exp|ED|lewat tanggal"),
    ),
    (
        ReturnProblem.wrong_item,
        _any(
            r"salah\s*(?:kirim|barang|produk|item|seri)|salah\s*" + _ASPECT,
            _NOT + r"\s*sesuai",
            r"beda\w*\s+(?:dengan|dgn|sama|sm|dari|dr|ama)\s+(?:yang|yg)?\s*" + _ORDERED,
            r"bukan\s+(?:yang|yg)\s+(?:saya|sy|aku|gue|gw)?\s*(?:pesan|pesen|order|beli|pilih)",
            r"(?:yang|yg)\s+(?:datang|dateng|dtg|dikirim|nyampe|sampai|sampe)\s+salah",
            r"(?:punya|milik)\s+orang\s+lain|ketuker|ketukar|tertukar",
            r"kekecilan|kegedean|kebesaran|kependekan|kepanjangan|wrong\s+(?:size|colou?r|item|product)",
            _ASPECT + r"\w*\s+(?:\w+\s+)?(?:beda|berbeda|salah)|(?:beda|berbeda)\s+" + _ASPECT,
        ),
    ),
    (
        ReturnProblem.missing,
        _any(
            r"(?:isi|jumlah|barang|item|pesanan|pesenan|paket|berat|pcs)\w*\s+(?:\w+\s+)?kurang",
            r"kurang\s+(?:\d+|satu|dua|tiga|empat|lima|sebiji|sebuah|setengah)",
            r"(?:" + _ONLY + r"\s+" + _ARRIVED + r"|" + _ARRIVED + r"\s+" + _ONLY + r")\s+\d+",
            _ONLY + r"\s+\d+\s+(?:dari|dr)\s+\d+|missing",
            r"(?:ga|gak|gk|nggak|tidak|tdk)\s+ada\s+(?:di|dalam|di dalam)\s+(?:dus|paket|kotak|box|kardus)",
            _NOT + r"\s*lengkap",
            r"(?:isi|item|barang)\w*\s+(?:\w+\s+)?(?:hilang|ilang|ga ada|gak ada|tidak ada|kosong)",
        ),
    ),
    (  # last, because "pesen 12 yg dateng cuma 10" is a missing quantity: what was ordered against what came
        ReturnProblem.wrong_item,
        _any(
            r"padahal\s+(?:saya|sy|aku|gue|gw)?\s*(?:pesan|pesen|order|pilih|beli)",
            r"(?:pesan|pesen|order|pilih|beli)\w*\s+[^.,;!?]{1,40}?\s(?:yang|yg)\s+(?:datang|dateng|dtg|dikirim|nyampe)",
        ),
    ),
)


def _negated(text: str, start: int) -> bool:
    """Whether the word just before a match negates it ("ga rusak kok, cuma salah warna")."""
    before = _WORD.findall(text[:start])
    return bool(before) and bool(_NEGATION.match(before[-1]))


def problem_of(texts: Iterable[str]) -> ReturnProblem | None:
    """The kind of problem the customer's messages name, the first message that names one deciding; None when
    they name none ("mau retur")."""
    for text in texts:
        for kind, pattern in _KINDS:
            if any(not _negated(text, m.start()) for m in pattern.finditer(text)):
                return kind
    return None
