"""Where a list keeps its doses, found by header text, and the rows of one person.

Why hand-written: the dose columns come in three shapes that no reader library knows, and
they must never be confused with the identity columns ("Ngày tiêm" is not "Ngày sinh"):

* the import template's groups: "Tên vắc xin" just before each merged group cell "Mũi 1",
  "Mũi 2", "Mũi 3 (nhắc lại)" over the sub-headers "Ngày tiêm…", "Lô vắc xin",
  "Địa điểm tiêm…" (two header rows; the group texts come from :class:`Header.groups`);
* flat headers naming both the dose and the part: "Ngày tiêm mũi 1", "Mũi 1 - Vắc xin",
  "Loại vắc xin M2", "Số lô mũi 3", "Nơi tiêm mũi 4"; a header that is only a dose label
  ("Mũi 2", "Mũi nhắc lại") holds that dose's date;
* one row per dose: the person's columns repeated on each row beside "Mũi thứ"/"Mũi số",
  "Ngày tiêm", "Tên vắc xin", "Số lô", "Nơi tiêm". Such a list needs the dose number column
  or both a vaccine and a date column: a lone "Ngày tiêm" (the day of a session) reads as
  it always did, without doses.

Dose numbers: "Mũi N", "Mũi thứ N", "M N", "Liều N", "Lần tiêm N", "Mũi thứ nhất/hai/ba…";
"Mũi nhắc lại" is dose 3 and "Mũi nhắc lại lần 2" dose 4. "Mũi bổ sung" (the additional
dose of 10722/BYT-DP, given after the primary series to the immunocompromised and to
Sinopharm/Sputnik V recipients) is dose 3, the one after the two primary doses, as the
platform counts it; when a list has both a "Mũi bổ sung" and an unnumbered "Mũi nhắc lại",
the booster's column follows it as dose 4 and the layout names the additional dose
(``DoseLayout.additional``): a person without it has the booster as dose 3.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vaxclean_xl.core.doses import ORDINAL_WORDS, label_number
from vaxclean_xl.core.model import DOSE_PART_LABEL_VI, DoseLayout
from vaxclean_xl.io.reader.columns import column_letter
from vaxclean_xl.io.reader.headers import normalize_header
from vaxclean_xl.notices import notify

_STAR = re.compile(r"\(\s*\*+\s*\)|\*")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SPACES = re.compile(r"\s+")
_TRIM = " :.-_,;"

# A header that is nothing but a dose label ("Mũi 2", "Mũi nhắc lại", "Mũi bổ sung").
_LABEL = re.compile(
    rf"^(?:mui|lieu|lan tiem)(?: tiem)?(?: (?:thu|so))? ?(?:\d{{1,2}}|{ORDINAL_WORDS}|nhac lai"
    r"(?: (?:lan )?(?:thu )?\d)?|bo sung)$"
)
# The one-row-per-dose list's dose number column ("Mũi thứ", "Mũi số", "Liều", "Lần tiêm").
_NUMBER_COLUMN = re.compile(r"^(?:mui|lieu|lan)(?: tiem)?(?: (?:thu|so))?(?: may)?$")

# Parts named on their own (one-row-per-dose lists and flat headers).
_PARTS_STRICT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("lot", re.compile(r"^(?:so lo|ma lo|lo so|lo)\b|\b(?:so lo|lo vac ?xin|lo vaccine)\b")),
    ("vaccine", re.compile(
        r"^(?:ten |loai )?(?:vac ?xin|vaccine?|vx)\b|\b(?:ten|loai) (?:vac ?xin|vaccine?)\b"
        r"|^(?:mui|lieu) \S+(?: \S+)? (?:vac ?xin|vaccine?)$")),
    ("date", re.compile(
        r"\b(?:ngay tiem|ngay thang nam tiem|ngay/thang/nam tiem|thoi gian tiem"
        r"|ngay gio tiem)\b")),
    ("site", re.compile(
        r"\b(?:dia diem tiem|noi tiem|co so tiem|diem tiem|don vi tiem|ma co so kcb"
        r"|co so kcb|ma co so tiem)\b")),
)
# Parts under a dose group or beside a dose number ("Mũi 1" over "Ngày", "Loại", "Lô"…).
_PARTS_LOOSE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("lot", re.compile(r"^(?:so lo|ma lo|lo)\b|\blo\b")),
    ("vaccine", re.compile(r"\b(?:vac ?xin|vaccine?|vx)\b|^(?:ten|loai)\b")),
    ("date", re.compile(r"^ngay\b|\bngay tiem\b|\bthoi gian\b")),
    ("site", re.compile(r"^(?:noi|dia diem|co so|diem|don vi)\b|\bnoi tiem\b")),
)
# Identity dates, a count of doses, appointments and plans are no dose's cells.
_NOT_A_DOSE = re.compile(
    r"\b(?:ngay sinh|nam sinh|ngay cap|noi cap|ngay het han|so mui|hen|du kien|dang ky"
    r"|ke hoach)\b"
)


def _clean(text: str) -> tuple[str, str]:
    """(text without "(*)" marks, and also without bracketed notes): "Địa điểm tiêm (*)
    (Tham khảo PL4)" must not read as dose 4."""
    full = _SPACES.sub(" ", _STAR.sub(" ", normalize_header(text))).strip(_TRIM)
    return full, _SPACES.sub(" ", _BRACKETS.sub(" ", full)).strip(_TRIM)


def _part(text: str, loose: bool) -> str | None:
    for part, pattern in _PARTS_LOOSE if loose else _PARTS_STRICT:
        if pattern.search(text):
            return part
    return None


def find_doses(
    texts: dict[int, str], groups: dict[int, str], taken: Iterable[int]
) -> DoseLayout | None:
    """The dose columns of a header (``texts``: column -> header text as combined for two
    header rows; ``groups``: column -> the group text above it), or None without any.

    ``taken`` are the columns already read as identity fields: never a dose's.
    """
    taken = set(taken)
    # column -> (number, naming, part, priority): explicit part 2, a bare label's date 1
    numbered: dict[int, tuple[int, str, str, int]] = {}
    unnumbered: dict[int, str] = {}
    number_col: int | None = None
    for col in sorted(texts):
        if col in taken:
            continue
        full, text = _clean(texts[col])
        if not text or _NOT_A_DOSE.search(full):
            continue
        own = label_number(text)
        group_text = groups.get(col)
        group = None
        if group_text is not None and group_text != texts[col]:
            group = label_number(_clean(group_text)[1])
        if own is not None and _LABEL.match(text):
            # A header that is only a dose label: its group's sub-header or, flat, the date.
            numbered[col] = (*own, "date", 1)
            continue
        if own is not None or group is not None:
            number = own or group
            assert number is not None
            part = _part(text, loose=True)
            if part is not None:
                numbered[col] = (*number, part, 2)
            continue
        if number_col is None and _NUMBER_COLUMN.match(text):
            number_col = col
            continue
        part = _part(text, loose=False)
        if part is not None:
            unnumbered[col] = part
    if numbered:
        return _wide(numbered, unnumbered)
    return _long(unnumbered, number_col)


def _wide(
    numbered: dict[int, tuple[int, str, str, int]], unnumbered: dict[int, str]
) -> DoseLayout | None:
    """Dose number -> part -> column; an unnumbered part column just left (else right) of
    a dose's columns belongs to that dose (the template's "Tên vắc xin" before "Mũi N")."""
    shift = any(k == "additional" for _n, k, _p, _q in numbered.values())
    best: dict[tuple[int, str], tuple[int, int]] = {}  # (number, part) -> (priority, col)
    col_number: dict[int, int] = {}
    for col, (number, kind, part, priority) in numbered.items():
        if shift and kind == "booster":
            number += 1
        col_number[col] = number
        held = best.get((number, part))
        if held is None or priority > held[0]:
            best[(number, part)] = (priority, col)
        elif priority == held[0]:  # two columns for one cell of a dose: the first is read
            notify(f"Cột {column_letter(col)} cũng là «{DOSE_PART_LABEL_VI[part]}» của mũi "
                   f"{number} như cột {column_letter(held[1])}; chỉ đọc cột "
                   f"{column_letter(held[1])}, hãy gộp hai cột nếu cả hai có dữ liệu.")
    for col, part in unnumbered.items():
        for near in (col + 1, col - 1):
            number = col_number.get(near)
            if number is not None and (number, part) not in best:
                best[(number, part)] = (2, col)
                break
    wide: dict[int, dict[str, int]] = {}
    for (number, part), (_q, col) in sorted(best.items()):
        wide.setdefault(number, {})[part] = col
    additional = next((n for n, k, _p, _q in numbered.values() if k == "additional"), None)
    return DoseLayout(wide={n: dict(sorted(p.items(), key=lambda kv: kv[1]))
                            for n, p in sorted(wide.items())},
                      additional=additional if shift and additional in wide else None
                      ) if wide else None


def _long(unnumbered: dict[int, str], number_col: int | None) -> DoseLayout | None:
    """One row per dose: the first column of each part, and the dose number column."""
    long: dict[str, int] = {}
    for col, part in sorted(unnumbered.items()):
        long.setdefault(part, col)
    has_date, has_vaccine = "date" in long, "vaccine" in long
    if not (has_date or has_vaccine) or not (number_col is not None or (has_date and has_vaccine)):
        return None
    if number_col is not None:
        long["number"] = number_col
    return DoseLayout(long=long)


# --------------------------------------------------------------------------- persons


def _key_part(value: object) -> object:
    """A cell as one identity value: text trimmed, inner spaces collapsed; 12.0 as 12."""
    if value.__class__ is str:
        return " ".join(value.split())  # type: ignore[union-attr]
    if value is None:
        return ""
    if value.__class__ is float and value.is_integer():  # type: ignore[union-attr]
        return int(value)  # type: ignore[arg-type]
    return value


def group_persons(
    records: list[tuple[int, list]], columns: dict[str, int]
) -> tuple[list[tuple[int, list]], dict[int, list[tuple[int, list]]]]:
    """(the first row of each person, first row -> every row of that person) of a
    one-row-per-dose list.

    One person = the same name, date of birth and ID (trimmed, NFC as read). A row with a
    name but neither a date of birth nor an ID stays a person of its own: a name alone is
    shared by namesakes. A row with none of the three (the person's cells merged down over
    their doses; the reader keeps it only right under a record) belongs to the row above.
    """
    ni, di, ii = (columns.get(f) for f in ("full_name", "dob", "id_number"))
    first: list[tuple[int, list]] = []
    persons: dict[int, list[tuple[int, list]]] = {}
    by_key: dict[tuple[object, object, object], int] = {}
    part = _key_part
    for item in records:
        row = item[1]
        width = len(row)
        name = part(row[ni]) if ni is not None and ni < width else ""
        dob = part(row[di]) if di is not None and di < width else ""
        idn = part(row[ii]) if ii is not None and ii < width else ""
        if name == "" and dob == "" and idn == "" and first:
            persons[first[-1][0]].append(item)  # merged person cells: the row above's
            continue
        if dob == "" and idn == "":
            first.append(item)
            persons[item[0]] = [item]
            continue
        key = (name, dob, idn)
        owner = by_key.get(key)
        if owner is None:
            by_key[key] = item[0]
            first.append(item)
            persons[item[0]] = [item]
        else:
            persons[owner].append(item)
    return first, persons

