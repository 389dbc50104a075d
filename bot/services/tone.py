"""Is a complaint written in anger? Words and shouting, so an upset customer reaches a human sooner.

Deliberately simple and explainable: a word list of strong Indonesian (and slang) expressions of anger or
accusation, several exclamation marks, or a message written mostly in capitals.
"""

from __future__ import annotations

import re

_ANGRY_WORDS = re.compile(
    r"\b(kecewa\s+(berat|banget|sekali|bgt)|sangat\s+kecewa|marah|kesal|kesel|geram|muak|parah\s+(banget|bgt)"
    r"|penipu(an)?|nipu|ditipu|tipu|bohong|pembohong|ga\s*becus|gak\s*becus|nggak\s*becus|tidak\s+becus"
    r"|payah|brengsek|sialan|bangsat|anjing|anjir|goblok|bodoh|tolol|lapor(kan)?\s+(ke\s+)?(polisi|ojk|ylki)"
    r"|viral(kan)?|somasi|bawa\s+ke\s+jalur\s+hukum)\b",
    re.IGNORECASE,
)


def is_angry(text: str) -> bool:
    if _ANGRY_WORDS.search(text):
        return True
    if text.count("!") >= 3:
        return True
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) >= 0.7
