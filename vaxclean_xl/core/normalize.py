"""Turn cell values as Excel really stores them into typed, NFC-normalised values.

Readers hand over raw cells (str, int, float, bool, date/datetime, None); everything
downstream works on the values this module produces. Hand-written because the inputs are
Vietnamese conventions (day-first dates, Nam/Nữ, IDs that lost their leading zero) that no
general parser handles with the strictness a cleaning tool needs.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

_EXCEL_EPOCH = _dt.date(1899, 12, 30)
# Deliberately simple grammars: the hamlet files' in-sheet formulas (core.sheetcheck) must
# accept exactly the same texts, so every rule here has a formula twin.
_DATE_RE = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
_ISO_RE = re.compile(r"([0-9]{4})[/.\-]([0-9]{1,2})[/.\-]([0-9]{1,2})")
_YEAR_RE = re.compile(r"(?:năm)?([0-9]{4})")


def nfc(text: str) -> str:
    """NFC form; cheap for the common already-NFC ASCII case."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Case- and diacritic-insensitive key ('Xóm  1' -> 'xom 1'), for grouping and lookup."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def hamlet_key(name: str) -> str:
    """Group hamlets by case, spaces and Unicode form only: 'Xóm 1' = 'XÓM  1', but
    'Xóm Đông' != 'Xóm Động' (folding accents away would merge different hamlets)."""
    return " ".join(nfc(name).casefold().split())


def cell_text(value: object) -> str:
    """The text a user sees in a cell, NFC, stripped; integral floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return nfc(value).strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, _dt.datetime):
        if value.hour or value.minute or value.second:
            return value.strftime("%d/%m/%Y %H:%M:%S")
        return value.strftime("%d/%m/%Y")
    if isinstance(value, _dt.date):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value)).strip()


# --- ID numbers -------------------------------------------------------------------------

def is_digits(text: str) -> bool:
    """ASCII digits only (str.isdigit also accepts '²' and other scripts' digits)."""
    return text.isdigit() and text.isascii()


def is_scientific(text: str) -> bool:
    """Excel's display of a long number, e.g. '4.01901E+11': the digits are lost."""
    up = text.upper()
    return ("E+" in up and is_digits(up[:1])
            and is_digits(up.replace("E+", "", 1).replace(".", "", 1).replace(",", "", 1)))


def id_text(value: object) -> tuple[str, bool]:
    """ID cell as text; the flag says the text is a number in scientific form
    (digits lost, e.g. '4.01901E+11'), which no fix can recover."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), False
        return repr(value), False
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), False
    text = cell_text(value)
    return text, is_scientific(text)


# --- dates -------------------------------------------------------------------------------

DOB_MISSING = "missing"
DOB_IMPOSSIBLE = "impossible"
DOB_YEAR_ONLY = "year_only"
DOB_UNREADABLE = "unreadable"


def parse_date(value: object) -> tuple[_dt.date | None, str | None]:
    """A date of birth from any Excel storage; (date, None) or (None, problem).

    Text is read day-first (d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or ISO yyyy-mm-dd, as
    Vietnamese lists write it. A bare year (1985) is 'year_only', not a date.
    """
    if value is None or value == "":
        return None, DOB_MISSING
    if isinstance(value, _dt.datetime):
        return value.date(), None
    if isinstance(value, _dt.date):
        return value, None
    if isinstance(value, bool):
        return None, DOB_UNREADABLE
    if isinstance(value, int | float):
        if float(value).is_integer() and 1000 <= value <= 2300:
            return None, DOB_YEAR_ONLY
        if 1 <= value < 2958466:  # Excel serial (1900 system); 60 is the fake 29/02/1900
            try:
                return _EXCEL_EPOCH + _dt.timedelta(days=int(value)), None
            except OverflowError:
                return None, DOB_UNREADABLE
        return None, DOB_UNREADABLE
    text = nfc(str(value)).strip()
    if not text:
        return None, DOB_MISSING
    if ":" in text and " " in text:  # a time after the date: keep what is before the space
        text = text.split(" ", 1)[0]
    text = text.replace(" ", "").lower()
    m = _DATE_RE.fullmatch(text)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return _make_date(year, month, day)
    m = _ISO_RE.fullmatch(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if _YEAR_RE.fullmatch(text):
        return None, DOB_YEAR_ONLY
    return None, DOB_UNREADABLE


def _make_date(year: int, month: int, day: int) -> tuple[_dt.date | None, str | None]:
    try:
        return _dt.date(year, month, day), None
    except ValueError:
        return None, DOB_IMPOSSIBLE


def format_date(d: _dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


_SHORT_DATE_RE = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{2})")


def short_year_date(value: object) -> tuple[int, int, int] | None:
    """(day, month, two-digit year) of a day-first date typed with a two-digit year
    ("19/10/47"), else None. Such a date stays unreadable: its century is not in the text
    (only the CCCD can tell it, see ``rules.dob.suggest_century``)."""
    if not isinstance(value, str):
        return None
    m = _SHORT_DATE_RE.fullmatch(value.replace(" ", ""))
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


# --- sex -----------------------------------------------------------------------------------

_SEX = {"nam": "M", "nu": "F", "nữ": "F", "male": "M", "female": "F"}


def parse_sex(value: object) -> str | None:
    """'M', 'F' or None. Nam/Nữ in any case, with or without diacritics ('Nu')."""
    if not isinstance(value, str):
        return None
    key = value.strip().casefold()
    hit = _SEX.get(key)
    if hit is None and not key.isascii():
        hit = _SEX.get(unicodedata.normalize("NFC", key))
    return hit


SEX_LABEL = {"M": "Nam", "F": "Nữ"}
