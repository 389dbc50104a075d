"""How a message is phrased, for the decisions NLU's intent alone cannot make: is it a question (a
help-centre question typed in the middle of a form), is it a story (a complaint's own description), does a
file's caption say anything beyond "here it is"?"""

from __future__ import annotations

import re

# Indonesian question words, formal and chat spellings; "bisa" and "boleh" open yes/no questions.
_QUESTION_WORDS = re.compile(
    r"\b(apa|apakah|apa\s*aja|gimana|bagaimana|gmn|gmana|bgmn|gimn|kenapa|mengapa|knp|napa|kapan|kpn|berapa|brp"
    r"|dimana|di\s*mana|dmn|kemana|ke\s*mana|siapa|cara(nya)?|bisa(kah)?|bisakah|boleh(kah)?|gak\s+sih)\b",
    re.IGNORECASE,
)
STORY_MIN_WORDS = 8  # shorter than this, a message names a problem; longer, it tells one


def is_question(text: str) -> bool:
    text = text.strip()
    return text.endswith("?") or _QUESTION_WORDS.search(text) is not None


def is_story(text: str) -> bool:
    """A message long enough to be the customer's own account of what happened (not a button payload)."""
    return not text.startswith("/") and len(text.split()) >= STORY_MIN_WORDS


# The words of a caption that only hands a file over ("ini kak", "fotonya min 🙏", "berikut buktinya ya"),
# and of the gateway's stand-in for a file without a caption, "(mengirim lampiran)".
_HANDING_OVER = re.compile(
    r"ini|itu|nih|tuh|yah?|yaa|kak|ka|kakak|min|mimin|admin|gan|sis|bro|mas|mba|mbak|pak|bu|bang|berikut"
    r"|terlampir|lampiran(nya)?|mengirim|kirim|dikirim|saya|sy|aku|(foto|gambar|video|bukti|screenshot|ss)(nya)?"
    r"|nya|tangkapan|layar|sudah|udah|udh|sdh|dah|ok|oke|okay|sip"
)


def only_hands_over(caption: str) -> bool:
    """Whether a file's caption says nothing but "here it is" (or nothing at all): the file is the message."""
    return all(_HANDING_OVER.fullmatch(word) for word in re.findall(r"[a-z]+", caption.lower()))


# What a chat message opens with before its question: greetings and forms of address, then "(saya) mau tanya"
# ("halo kak, mau tanya cara ...", "permisi min, ...", "selamat siang kak, saya mau tanya berapa ..."). They
# carry no topic and pull retrieval towards passages about asking and greeting.
_GREETING = re.compile(
    r"^(?:(?:halo+|hal+o|hai+|hi+|hey|hy|permisi|punten|misi|assalamu\W?alaikum|aslm|selamat|pagi|siang|sore"
    r"|malam|met|kak|ka|kakak|kk|min|mimin|gan|sis|mas|mbak|mba|pak|bu|bang|dear)\b[\s,.!:;-]*)+",
    re.IGNORECASE,
)
# "mau tanya" is the act of asking only when a question follows ("mau tanya, ...", "mau tanya dong ...",
# "mau tanya cara/berapa/kalau ..."); in "mau nanya stok ke penjual lewat mana" asking is the topic itself.
_ASKING = re.compile(
    r"^(?:(?:saya|sy|aku|aq)\s+)?(?:mau|ingin|pengen|pgn|boleh|izin|ijin|numpang|mo)\s+"
    r"(?:tanya|nanya|bertanya|menanyakan|tny)\b(?P<tail>(?:\s+(?:dong|nih|ya|kak|min|gan|sis))*)"
    r"(?P<punct>[\s,.!:;-]*)",
    re.IGNORECASE,
)
_INTRODUCES_A_QUESTION = re.compile(
    r"(?:cara|caranya|gimana|bagaimana|gmn|apa|apakah|berapa|brp|kapan|kenapa|knp|kalau|kalo|klo|soal|tentang"
    r"|mengenai|bisa|bisakah|dimana|kok)\b",
    re.IGNORECASE,
)
MIN_QUESTION_WORDS = 2


def without_preamble(text: str) -> str:
    """The question without the greeting and "mau tanya" it opens with; the text as it is when that would
    leave less than a question ("halo kak", "mau tanya dong")."""
    rest = _GREETING.sub("", text.strip(), count=1)
    asking = _ASKING.match(rest)
    if asking is not None:
        after = rest[asking.end() :]
        if asking["tail"] or "," in asking["punct"] or _INTRODUCES_A_QUESTION.match(after):
            rest = _GREETING.sub("", after, count=1)
    return rest if len(rest.split()) >= MIN_QUESTION_WORDS else text
