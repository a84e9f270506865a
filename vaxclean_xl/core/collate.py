"""Vietnamese, natural sort order for names people read in lists (hamlets first of all).

Python's ``sorted`` orders by code point: "Thôn 10" before "Thôn 2", "Đông" after "Ư…"
and "Thượng" before "Thắng" ("ư" U+01B0 < "ắ" U+1EAF). Staff look hamlets up in the order
of the Vietnamese alphabet, so every list of hamlets the tool writes (hamlet files and
manifest, the validation summary, the police list's groups, progress and merge sheets,
the edit worklist) sorts with :func:`hamlet_order`.

The convention (the dictionary order of Vietnamese lexicography, e.g. Hoàng Phê's
"Từ điển tiếng Việt", and the tone order of Unicode CLDR's Vietnamese collation):

* letters: a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z);
  f, j, w, z (minority-language names) at their Latin places; case is ignored;
* tones rank after letters: none, huyền, hỏi, ngã, sắc, nặng; a tone only decides between
  syllables with the same letters ("Ba" < "Bà" < "Bá" < "Bác");
* syllable by syllable: the first syllable (letters, then its tone) decides before the
  next one is looked at ("Ba Vì" < "Bà Rịa"), as in a dictionary;
* a run of digits is one number ("Thôn 2" < "Thôn 10") and comes before any word;
  spaces and punctuation only separate syllables;
* the tone belongs to the syllable, wherever it is written: "Hoà" and "Hòa" (old and new
  tone placement) sort together; ties fall back to the text itself, so the order is total.

:func:`hamlet_order` adds: records without a hamlet last. It is an order only; which
spellings are the same hamlet stays ``normalize.hamlet_key``'s decision.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from vaxclean_xl.core.validate import NO_HAMLET

__all__ = ["hamlet_order", "vi_sort_key"]

ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()

# Tone marks (NFD combining characters) -> rank: none 0, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letter_id(letter: str) -> tuple[str, str]:
    """(base character, its non-tone marks sorted): 'ơ' -> ('o', '\\u031b')."""
    d = unicodedata.normalize("NFD", letter)
    return d[0], "".join(sorted(c for c in d[1:] if c not in _TONES))


_RANK: dict[tuple[str, str], int] = {_letter_id(x): 10 * i for i, x in enumerate(ALPHABET)}
_BASE_RANK: dict[str, int] = {x: r for (x, marks), r in _RANK.items() if not marks}
_TOKEN = re.compile(r"\d+|(?:[^\W\d_]|[\u0300-\u036f])+")

Segment = tuple[int, int] | tuple[int, tuple[int, ...], int]


def _letter_rank(base: str, marks: str) -> int:
    """The alphabet rank; an unknown mark on a known letter sorts just after that letter,
    letters outside the alphabet after 'z' by code point."""
    rank = _RANK.get((base, marks))
    if rank is not None:
        return rank
    if base in _BASE_RANK:
        return _BASE_RANK[base] + 5
    return 1000 + ord(base)


@lru_cache(maxsize=65_536)  # a list repeats a few thousand words
def _syllable(word: str) -> tuple[int, tuple[int, ...], int]:
    """A word as (1, letter ranks, tone rank); the 1 puts words after numbers."""
    letters: list[int] = []
    tone = 0
    base, marks = "", ""
    for ch in unicodedata.normalize("NFD", word.casefold()):
        if unicodedata.combining(ch):
            if ch in _TONES:
                tone = max(tone, _TONES[ch])
            else:
                marks += ch
            continue
        if base:
            letters.append(_letter_rank(base, "".join(sorted(marks))))
        base, marks = ch, ""
    if base:
        letters.append(_letter_rank(base, "".join(sorted(marks))))
    return 1, tuple(letters), tone


def vi_sort_key(text: str) -> tuple[tuple[Segment, ...], str, str]:
    """Sort key for Vietnamese text: natural numbers, Vietnamese alphabet and tone order,
    case-insensitive (see the module docstring); the text itself breaks ties."""
    folded = unicodedata.normalize("NFC", text).casefold()
    segments: list[Segment] = []
    for token in _TOKEN.findall(folded):
        segments.append((0, int(token)) if token[0].isdigit() else _syllable(token))
    return tuple(segments), " ".join(folded.split()), text


def hamlet_order(name: str) -> tuple[bool, tuple[tuple[Segment, ...], str, str]]:
    """Hamlets in Vietnamese, natural order; no hamlet (empty or ``NO_HAMLET``) last, as
    those records need the most searching."""
    return (not name.strip() or name == NO_HAMLET, vi_sort_key(name))
