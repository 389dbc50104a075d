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
