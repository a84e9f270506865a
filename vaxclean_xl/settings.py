"""Station settings entered once and used by every output (titles, signatures, deadlines).

Two sources, in this order: an explicit settings file (TOML or JSON, English keys), then a
sheet named "Cài đặt" in the user's workbook (column A a Vietnamese label or the English
key, column B the value). Missing values stay empty: outputs leave a blank to fill by hand.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from vaxclean_xl.errors import InputError

SETTINGS_SHEET = "Cài đặt"


@dataclass(slots=True)
class Settings:
    province: str = ""
    district: str = ""
    commune: str = ""
    station: str = ""
    police_unit: str = ""
    preparer: str = ""  # người lập biểu
    station_head: str = ""  # trưởng trạm
    police_head: str = ""  # trưởng công an xã
    hamlet_return_to: str = ""  # whom hamlets return files to (name, phone)
    deadline: str = ""  # e.g. "30/11/2026"
    province_code: str = ""
    district_code: str = ""
    ward_code: str = ""
    priority_group: str = ""  # default priority group code for the import file


LABELS_VI: dict[str, str] = {
    "province": "Tỉnh/Thành phố",
    "district": "Quận/Huyện",
    "commune": "Xã/Phường",
    "station": "Trạm Y tế",
    "police_unit": "Công an xã/phường",
    "preparer": "Người lập biểu",
    "station_head": "Trưởng Trạm Y tế",
    "police_head": "Trưởng Công an xã",
    "hamlet_return_to": "Gửi lại cho (tên, điện thoại)",
    "deadline": "Hạn gửi lại",
    "province_code": "Mã tỉnh",
    "district_code": "Mã huyện",
    "ward_code": "Mã xã",
    "priority_group": "Mã nhóm ưu tiên mặc định",
}
_BY_LABEL = {" ".join(v.casefold().split()): k for k, v in LABELS_VI.items()}
_KEYS = {f.name for f in fields(Settings)}


def _from_mapping(data: dict[str, object], origin: str) -> Settings:
    unknown = [k for k in data if k not in _KEYS]
    if unknown:
        raise InputError(f"Tệp cài đặt «{origin}» có mục không hợp lệ: {', '.join(unknown)}.",
                         code="E110")
    return Settings(**{k: str(v).strip() for k, v in data.items()})


def load_settings_file(path: str | Path) -> Settings:
    """Settings from a .toml or .json file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Không đọc được tệp cài đặt «{path.name}».", code="E110") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig")) if path.suffix.lower() == ".toml" \
            else json.loads(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"Tệp cài đặt «{path.name}» sai cú pháp.", code="E110") from exc
    if not isinstance(data, dict):
        raise InputError(f"Tệp cài đặt «{path.name}» sai cú pháp.", code="E110")
    return _from_mapping(data.get("vaxclean", data), path.name)


def settings_from_rows(rows: list[list[object]]) -> Settings:
    """Settings from the rows of a 'Cài đặt' sheet (label or key in A, value in B)."""
    out = Settings()
    for row in rows:
        if len(row) < 2 or not isinstance(row[0], str):
            continue
        label = " ".join(row[0].casefold().split()).rstrip(":")
        key = _BY_LABEL.get(label) or (label if label in _KEYS else None)
        if key and row[1] not in (None, ""):
            value = row[1]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            setattr(out, key, str(value).strip())
    return out


def load_settings(settings_file: str | Path | None = None,
                  workbook: str | Path | None = None) -> Settings:
    """The explicit file wins; else the workbook's 'Cài đặt' sheet; else empty settings."""
    if settings_file:
        return load_settings_file(settings_file)
    if workbook and Path(workbook).suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        try:
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(workbook))
            if SETTINGS_SHEET in wb.sheet_names:
                return settings_from_rows(wb.get_sheet_by_name(SETTINGS_SHEET).to_python())
        except Exception:  # the reader reports unreadable workbooks with a proper message
            return Settings()
    return Settings()
