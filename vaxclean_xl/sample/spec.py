"""What a sample list holds: its sheet layout, the error and warning mix, and the
group each code puts a record in (the truth file's contract)."""

from __future__ import annotations

SCHEMA = "vaxclean.sample-truth/1"
SHEET = "Danh sách"
NOTES_SHEET = "Ghi chú"
HEADER_ROW = 5  # Excel row numbers
NUMBERING_ROW = 6
FIRST_DATA_ROW = 7
MAX_ROWS = 1_000_000
CONSTANT_MEMORY_ABOVE = 50_000

HEADERS = (
    "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND", "Số điện thoại",
    "Thôn/Xóm", "Địa chỉ", "Số thẻ BHYT", "Nhóm ưu tiên", "Ghi chú",
)
C_STT, C_NAME, C_DOB, C_SEX, C_ID, C_PHONE, C_HAMLET, C_ADDR, C_BHYT, C_GROUP, C_NOTE = range(
    len(HEADERS)
)
LAST_COL = len(HEADERS) - 1
WIDTHS = (6, 26, 12, 9, 16, 13, 14, 40, 18, 12, 16)

# Injected single-record errors and their relative frequency (ID005, a CCCD typed into a
# number cell, is the most common real error; ID001 next).
ERROR_MIX: dict[str, int] = {
    "ID001": 6, "ID002": 4, "ID003": 3, "ID004": 2, "ID005": 8, "ID006": 3, "ID007": 2,
    "ID008": 1, "ID009": 2, "ID101": 3, "ID102": 3,
    "NAME001": 1, "NAME002": 2, "NAME003": 2, "NAME004": 2, "NAME005": 2,
    "DOB001": 2, "DOB002": 2, "DOB003": 3, "DOB004": 1, "DOB005": 1, "DOB006": 2,
    "SEX001": 2, "SEX002": 2,
}
WARNING_MIX: dict[str, int] = {
    "NAME101": 3, "NAME103": 3, "PHONE001": 2, "PHONE002": 2, "PHONE003": 3, "HAMLET001": 2,
}
WARNING_RATE = 0.08  # share of the clean records that get one warning
PAIR_RATE = 0.003  # per record, for each of the two list-level pairs (ID103, REC001)

_CATEGORY_ORDER = ("NO_ID", "BAD_ID_FORMAT", "BAD_PERSONAL_INFO", "OK")


def category_of(code: str) -> str:
    """The procedure group an ERROR code puts a record in (truth side, hand-written)."""
    if code in ("ID001", "ID002"):
        return "NO_ID"
    if code.startswith("ID0"):
        return "BAD_ID_FORMAT"
    return "BAD_PERSONAL_INFO"


def expected_category(errors: list[str] | tuple[str, ...]) -> str:
    """Category by precedence NO_ID > BAD_ID_FORMAT > BAD_PERSONAL_INFO > OK."""
    cats = {category_of(c) for c in errors}
    return next((c for c in _CATEGORY_ORDER if c in cats), "OK")


