"""Domain objects shared by every step: fields, categories, findings, records.

The category names and field names are part of the JSON report contract
(``vaxclean.validation/1``): never rename them.
"""

from __future__ import annotations

import datetime as _dt
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
        return any(f.severity is Severity.ERROR for f in self.findings)
