"""A password must not be made of the person's own name.

Django's ``UserAttributeSimilarityValidator`` compares the password with each attribute (the
first name, the last name, the e-mail) one at a time, so "Aroha Ngata 1" (both names,
separated) and "ngataaroha12" (the names run together, last first) passed it. This one looks
at the letters of the password alone (digits, spaces, punctuation and accents dropped) and
refuses them when they are

* nothing but parts of the person's name, forwards or backwards, in any order or repeated
  ("arohangata", "ngataaroha", "arohaaroha", "atagnahora"), or
* close to the names run together in either order, or to one name part, or to any of those
  backwards (``SequenceMatcher`` ratio of at least 0.7, as Django's validator uses).
"""

import re
import unicodedata
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError

MESSAGE = "This password is too close to your name."


def letters(text: str) -> str:
    """Lower-case letters only, accents removed ("Tāne-Mahuta 1" → "tanemahuta")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c)).lower()


def name_parts(*names: str) -> list[str]:
    """The parts of a name, as ``letters`` (split at spaces, hyphens and apostrophes)."""
    parts = []
    for name in names:
        parts += [letters(part) for part in re.split(r"[\s\-'’.]+", name or "")]
    return [part for part in parts if part]


class NameValidator:
    """Refuses a password made of (or close to) the person's own name; see the module."""

    def __init__(self, max_similarity: float = 0.7):
        self.max_similarity = max_similarity

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        parts = name_parts(getattr(user, "first_name", ""), getattr(user, "last_name", ""))
        typed = letters(password)
        if not parts or not typed:
            return
        pieces = sorted({*parts, *(part[::-1] for part in parts)}, key=len, reverse=True)
        if re.fullmatch(f"(?:{'|'.join(map(re.escape, pieces))})+", typed):
            raise ValidationError(MESSAGE, code="password_too_similar_to_name")
        joined = ["".join(parts), "".join(reversed(parts))]
        candidates = {*parts, *joined}
        candidates |= {candidate[::-1] for candidate in candidates}
        for candidate in candidates:
            if SequenceMatcher(a=typed, b=candidate).ratio() >= self.max_similarity:
                raise ValidationError(MESSAGE, code="password_too_similar_to_name")

    def get_help_text(self) -> str:
        return "Your password can’t be made of your name."
