"""Header texts of the import file matched to the spec's columns.

Hand-written for the same reason as the list reader's header search: the template's
headers are typed by people. Texts are compared NFC, case and spaces ignored, "(*)"
marks ignored, then bracketed notes ignored, then diacritics ignored; two columns with the
same text ("Ngày tiêm" under "Mũi 1" and under "Mũi 2") are told apart by the merged
group cell above them, else by order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vaxclean_xl.core.normalize import nfc
from vaxclean_xl.formats.import_file.spec import SpecColumn

_STAR_RE = re.compile(r"\(\s*\*+\s*\)|\*")
_PUNCT_SPACE_RE = re.compile(r"\s*([:,;/()\[\]])\s*")
_BRACKETS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def header_keys(text: str) -> tuple[str, str, str]:
    """Comparable forms of a header text, strictest first.

    (1) NFC, casefolded, whitespace collapsed, no spaces around punctuation, "(*)" and "*"
    removed; (2) the same without bracketed notes; (3) (2) without diacritics.
    """
    t = " ".join(nfc(text).casefold().split())
    t = _STAR_RE.sub(" ", t)
    t = _PUNCT_SPACE_RE.sub(r"\1", " ".join(t.split())).strip(" :.-_")
    no_notes = _PUNCT_SPACE_RE.sub(r"\1", " ".join(_BRACKETS_RE.sub(" ", t).split()))
    no_notes = no_notes.strip(" :.-_")
    return t, no_notes, _fold(no_notes)


def _match_level(cell: tuple[str, str, str], col_keys: list[tuple[str, str, str]]) -> int:
    """3 strict, 2 without notes, 1 without diacritics, 0 no match (empty keys never match)."""
    best = 0
    for keys in col_keys:
        for level, (a, b) in zip((3, 2, 1), zip(cell, keys, strict=True), strict=True):
            if a and a == b:
                best = max(best, level)
                break
    return best


def _column_keys(col: SpecColumn) -> list[tuple[str, str, str]]:
    return [header_keys(t) for t in (col.header, *col.synonyms)]


@dataclass(frozen=True, slots=True)
class HeaderCell:
    """A header cell found in a sheet: column, text, and the group text above it, if any."""

    col: int  # 0-based
    text: str
    group: str | None = None


def assign_columns(columns: Sequence[SpecColumn],
                   cells: Iterable[HeaderCell]) -> dict[str, int]:
    """Spec column id -> sheet column, by header text (see the module docstring).

    Every (cell, spec column) pair that matches is scored (text level, then whether the
    group above agrees); the best pairs are taken first, ties to the leftmost cell and
    the first spec column, each cell and each spec column used once.
    """
    keys = {c.id: _column_keys(c) for c in columns}
    pairs: list[tuple[int, int, int, SpecColumn]] = []
    for cell in cells:
        ck = header_keys(cell.text)
        for order, col in enumerate(columns):
            level = _match_level(ck, keys[col.id])
            if not level:
                continue
            if cell.group is None or col.group is None:
                g = 1
            else:
                g = 2 if _match_level(header_keys(cell.group),
                                      [header_keys(col.group.header)]) else 0
            pairs.append((-(level * 4 + g), cell.col, order, col))
    pairs.sort(key=lambda p: (p[0], p[1], p[2]))
    out: dict[str, int] = {}
    used: set[int] = set()
    for _score, col_idx, _order, col in pairs:
        if col.id in out or col_idx in used:
            continue
        out[col.id] = col_idx
        used.add(col_idx)
    return out


_SEX_CODE_RE = re.compile(r"(\d+)\s*[:=]\s*(nam|nu)\b")


def sex_codes_from_header(text: str) -> dict[str, str] | None:
    """Codes a sex header announces, e.g. "Giới tính (*) (0:nam, 1:nữ)" -> {M: 0, F: 1}."""
    found = {("M" if word == "nam" else "F"): code
             for code, word in _SEX_CODE_RE.findall(_fold(nfc(text)).casefold())}
    return found if set(found) == {"M", "F"} and found["M"] != found["F"] else None

