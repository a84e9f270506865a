"""Domain objects shared by every step: fields, categories, findings, records.

The category names and field names are part of the JSON report contract
(``vaxclean.validation/1``): never rename them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """The procedure's groups, in precedence order (first wins)."""

    NO_ID = "NO_ID"
    BAD_ID_FORMAT = "BAD_ID_FORMAT"
    BAD_PERSONAL_INFO = "BAD_PERSONAL_INFO"
    OK = "OK"


CATEGORY_ORDER: tuple[Category, ...] = (
    Category.NO_ID,
    Category.BAD_ID_FORMAT,
    Category.BAD_PERSONAL_INFO,
    Category.OK,
)

CATEGORY_LABEL_VI: dict[Category, str] = {
    Category.NO_ID: "Không có số CCCD/CMND",
    Category.BAD_ID_FORMAT: "Sai định dạng số CCCD/CMND",
    Category.BAD_PERSONAL_INFO: "Sai thông tin cá nhân cơ bản",
    Category.OK: "Đúng",
}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# --- doses (vaccination history) ----------------------------------------------------------

# The cells of one dose, in the order lists and the import template show them.
DOSE_PARTS: tuple[str, ...] = ("vaccine", "date", "lot", "site")

DOSE_PART_LABEL_VI: dict[str, str] = {
    "vaccine": "Tên vắc xin",
    "date": "Ngày tiêm",
    "lot": "Lô vắc xin",
    "site": "Địa điểm tiêm",
}

_DOSE_PREFIX = "dose"


def dose_field(number: int, part: str) -> str:
    """The report's field name of one dose cell ("dose2_date"): findings and marks use it."""
    return f"{_DOSE_PREFIX}{number}_{part}"


def is_dose_field(field_name: str) -> bool:
    """Whether a finding's field is a dose cell (dose findings never change the identity
    group)."""
    return field_name.startswith(_DOSE_PREFIX)


def parse_dose_field(field_name: str) -> tuple[int, str] | None:
    """(number, part) of a dose field name, or None for an identity field."""
    if not is_dose_field(field_name):
        return None
    number, _, part = field_name[len(_DOSE_PREFIX):].partition("_")
    if not number.isdigit() or part not in DOSE_PARTS:
        return None
    return int(number), part


def field_label_vi(field_name: str) -> str:
    """The Vietnamese label of any finding's field: "Ngày sinh" for "dob", "Mũi 2 - Ngày
    tiêm" for "dose2_date" (the field itself when unknown)."""
    label = FIELD_LABEL_VI.get(field_name)
    if label is not None:
        return label
    parsed = parse_dose_field(field_name)
    if parsed is None:
        return field_name
    return f"Mũi {parsed[0]} - {DOSE_PART_LABEL_VI[parsed[1]]}"


@dataclass(frozen=True, slots=True)
class DoseLayout:
    """Where a list keeps its doses (found by the reader from header texts).

    ``wide``: dose number -> part -> 0-based column, one person per row.
    ``long``: one row per dose: part -> column, plus "number" when a column gives the dose
    number (else the order of the person's rows does).
    """

    wide: dict[int, dict[str, int]] = field(default_factory=dict)
    long: dict[str, int] = field(default_factory=dict)
    # the number of a "Mũi bổ sung" (additional dose) group a list has beside its boosters:
    # a person without that dose has each later dose one number lower (the platform counts
    # the first booster as dose 3 for them, 4 for those with the additional dose)
    additional: int | None = None

    def __bool__(self) -> bool:
        return bool(self.wide or self.long)


@dataclass(frozen=True, slots=True)
class DoseColumns:
    """Where one dose's cells are: the parts the list has (in ``DOSE_PARTS`` order) and
    their 0-based columns; shared by every dose read from the same columns. ``vaccine``,
    ``date``, ``lot`` and ``site`` give each part's position in ``parts`` (-1: no column),
    so the checks read a dose's values without building a dict per dose."""

    parts: tuple[str, ...]
    cols: dict[str, int]
    vaccine: int = -1
    date: int = -1
    lot: int = -1
    site: int = -1

    @classmethod
    def of(cls, cols: dict[str, int]) -> DoseColumns:
        parts = tuple(p for p in DOSE_PARTS if p in cols)
        pos = {p: (parts.index(p) if p in parts else -1) for p in DOSE_PARTS}
        return cls(parts, {p: cols[p] for p in parts}, **pos)


@dataclass(slots=True)
class Dose:
    """One injection of one person as the list records it."""

    number: int  # 1, 2, 3 ... (Mũi 1, Mũi 2, Mũi 3 (nhắc lại) ...)
    values: tuple[object, ...]  # the cells as read, in ``where.parts`` order
    # Excel row holding this dose's cells; None: the record's own row (one person per row,
    # where records with the same cells in a dose's columns share one Dose: never mutate
    # one after the checks)
    row: int | None
    where: DoseColumns
    vaccine: str | None = None  # platform spelling once matched by the catalogue
    date: _dt.date | None = None

    @property
    def cells(self) -> dict[str, object]:
        """part -> cell value as read (a part the list has no column for: missing key)."""
        return dict(zip(self.where.parts, self.values, strict=True))

    @property
    def cols(self) -> dict[str, int]:
        """part -> 0-based column of that cell (for marks)."""
        return self.where.cols

    def row_of(self, record: Record) -> int:
        """The Excel row of this dose's cells in ``record``."""
        return record.row if self.row is None else self.row


# Field names of the report contract, in the order the tool shows them.
FIELDS: tuple[str, ...] = (
    "full_name",
    "dob",
    "sex",
    "id_number",
    "phone",
    "hamlet",
    "address",
    "insurance_number",
    "priority_group",
    "ward",
    "district",
    "province",
)

FIELD_LABEL_VI: dict[str, str] = {
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CCCD/CMND",
    "phone": "Số điện thoại",
    "hamlet": "Thôn/Xóm",
    "address": "Địa chỉ",
    "insurance_number": "Số thẻ BHYT",
    "priority_group": "Nhóm ưu tiên",
    "ward": "Xã/Phường",
    "district": "Quận/Huyện",
    "province": "Tỉnh/Thành phố",
}


@dataclass(slots=True, frozen=True)
class Finding:
    """One problem of one record: what the rule found, on which field, and a certain fix."""

    row: int
    field: str
    code: str
    severity: Severity
    category: Category
    message: str
    value: str
    suggestion: str | None = None
    # Other fields whose cells share the blame (e.g. the sex cell for a sex-digit mismatch).
    also: tuple[str, ...] = ()


@dataclass(slots=True)
class Record:
    """One person's row: the cells as read plus the typed values the rules check.

    ``cells`` keeps each mapped cell's value as the reader gave it; ``text(field)`` is the
    text a user sees (NFC), computed only when needed (messages, merges) to keep the hot
    path fast.
    """

    row: int
    cells: dict[str, object]
    full_name: str = ""
    dob: _dt.date | None = None
    dob_problem: str | None = None  # rule code when the date could not be read
    sex: str | None = None  # "M", "F" or None
    id_number: str = ""
    phone: str = ""
    hamlet: str = ""
    name_font: str | None = None  # font of the name cell, when known (legacy encodings)
    findings: list[Finding] = field(default_factory=list)
    # (doses, rows): see the ``doses`` and ``rows`` properties. One slot for both keeps a
    # record in pymalloc's 128-byte size class: a 13th slot made a 200,000-row list take
    # 27 MiB more after the checks (measured), the row lists' freed blocks no longer fitting.
    # Shared empty tuples by default: a million records without doses carry no list.
    history: tuple[Sequence[Dose], Sequence[int]] = ((), ())

    @property
    def doses(self) -> Sequence[Dose]:
        """The person's doses in dose order (empty when the list records none)."""
        return self.history[0]

    @doses.setter
    def doses(self, value: Sequence[Dose]) -> None:
        self.history = (value, self.history[1])

    @property
    def rows(self) -> Sequence[int]:
        """Every sheet row of the person (one-row-per-dose lists); empty means just
        ``row``."""
        return self.history[1]

    @rows.setter
    def rows(self, value: Sequence[int]) -> None:
        self.history = (self.history[0], value)

    def text(self, field_name: str) -> str:
        from vaxclean_xl.core.normalize import cell_text

        return cell_text(self.cells.get(field_name))

    @property
    def category(self) -> Category:
        best = Category.OK
        rank = CATEGORY_ORDER.index
        for f in self.findings:
            if f.severity is Severity.ERROR and rank(f.category) < rank(best):
                best = f.category
        return best

    @property
    def has_error(self) -> bool:
        """An identity error (dose findings have their own status, ``vaccination``)."""
        error = Severity.ERROR
        return any(f.severity is error and not f.field.startswith(_DOSE_PREFIX)
                   for f in self.findings)

    @property
    def vaccination(self) -> str:
        """The doses' own status: "NONE" (no dose recorded), "OK", "WARNING" or "ERROR"."""
        if not self.doses:
            return "NONE"
        status = "OK"
        for f in self.findings:
            if f.field.startswith(_DOSE_PREFIX):
                if f.severity is Severity.ERROR:
                    return "ERROR"
                status = "WARNING"
        return status
