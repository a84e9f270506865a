"""Excel column letters: "A" is column 0, "AA" column 26.

A module of its own because the header search (``--map D``), the font scan and the
writers all address columns this way, and it depends on nothing else in the reader.
"""

from __future__ import annotations

import re


def column_letter(idx: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    if idx < 0:
        raise ValueError(f"column index must be >= 0, got {idx}")
    letters = ""
    n = idx + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """ "A" -> 0, "AA" -> 26 (case-insensitive); ValueError for anything else."""
    text = letters.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,3}", text):
        raise ValueError(f"not a column letter: {letters!r}")
    n = 0
    for ch in text:
        n = n * 26 + (ord(ch) - 64)
    return n - 1
