"""Codes the platform expects in its import file: a code list (the priority groups of
QĐ 3355, ``templates/import/priority-groups-qd3355.json``) and zero-padded
administrative codes.

Why a data file: the groups and their codes come from secondary sources (the platform's
own PL2 sheet was not found); a corrected or later list is a new file, not a code change.
Why padding: the platform's PL3 codes are the statistics office's codes of 2, 3 and 5
digits with their leading zeros ("01", "001", "00001"); a code typed as a number in the
settings has lost them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from vaxclean_xl.core.normalize import cell_text, nfc
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.resources import resource_dir

CODE_LIST_SCHEMA = "vaxclean.code-list/1"
CODE_LIST_DIR = resource_dir("templates") / "import"

_WORD_RE = re.compile(r"[^\w]+")
_NUMBER_RE = re.compile(r"0*(\d{1,3})(?: (.+))?")


def _key(text: str) -> str:
    """Compared form: NFC, casefolded, no diacritics, words joined by one space."""
    text = unicodedata.normalize("NFD", nfc(text).casefold().replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_WORD_RE.sub(" ", text).split())


class CodeListError(InputError):
    """A code list file is missing or malformed."""

    code = E.BAD_IMPORT_SPEC


@dataclass(frozen=True, slots=True)
class CodeList:
    """Codes with their names and aliases; :meth:`code_of` reads what people type."""

    id: str
    title: str
    names: dict[str, str]  # code -> name
    prefixes: tuple[str, ...]  # compared forms of "Nhóm", "N", … typed before a code
    by_name: dict[str, str]  # compared name or alias -> code

    def code_of(self, value: object) -> str | None:
        """The bare code of ``value`` ("Nhóm 9", "N9", "9", 9, "nhóm 09", the group's name,
        "9. <the group's name>" -> "9"), or None when it names no code of the list (a number
        with another group's name is not certain: None)."""
        key = _key(cell_text(value))
        if not key:
            return None
        for prefix in ("", *self.prefixes):
            if prefix and not key.startswith(prefix):
                continue
            rest = key[len(prefix):].strip()
            m = _NUMBER_RE.fullmatch(rest)
            # "9" alone, or "9 - Người trên 65 tuổi": the number and that same group's name
            if m and m.group(1) in self.names and (
                    m.group(2) is None or self.by_name.get(m.group(2)) == m.group(1)):
                return m.group(1)
        return self.by_name.get(key)


def code_list_path(name: str) -> Path:
    return CODE_LIST_DIR / f"{name}.json"


def load_code_list(name: str) -> CodeList:
    """Read and check ``templates/import/<name>.json`` (schema ``vaxclean.code-list/1``)."""
    path = code_list_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise CodeListError(f"Không đọc được danh mục mã «{path.name}».") from exc
    try:
        if data.get("schema") != CODE_LIST_SCHEMA:
            raise ValueError("schema")
        names: dict[str, str] = {}
        by_name: dict[str, str] = {}
        for item in data["codes"]:
            code = str(item["code"])
            if not code.isdigit() or code in names or code != str(int(code)):
                raise ValueError(f"code {code}")
            names[code] = nfc(str(item["name"]))
            for text in (item["name"], *item.get("aliases", [])):
                k = _key(str(text))
                if by_name.setdefault(k, code) != code:
                    raise ValueError(f"alias {text} names two codes")
        prefixes = tuple(sorted({_key(p) for p in data.get("prefixes", [])}, key=len,
                                reverse=True))
        return CodeList(str(data["id"]), nfc(str(data.get("title", ""))), names, prefixes,
                        by_name)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise CodeListError(f"Danh mục mã «{path.name}» không hợp lệ ({exc}).") from exc


def pad_code(value: str, digits: int) -> str:
    """A code of digits zero-padded to ``digits`` ("1" -> "01" for 2); anything else (letters,
    a longer number) as it is: not certain, the platform will say."""
    text = value.strip()
    if text.endswith(".0") and text[:-2].isdigit():  # a number read from a spreadsheet
        text = text[:-2]
    if text.isdigit() and len(text) < digits:
        return text.zfill(digits)
    return text
