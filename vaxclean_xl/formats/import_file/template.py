"""The template the user downloaded from the platform: where its data sheet, header rows,
columns and first free row are (:func:`locate_template`).

The real template wins over the spec's evidence: its header texts are matched to the
spec's columns (see ``headers``), its own sex codes ("(0:nam, 1:nữ)") are taken when its
sex header announces them, rows already under its headers are kept (a column-numbering
row is not data).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from vaxclean_xl.core.normalize import nfc
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.formats.import_file.headers import (
    HeaderCell,
    assign_columns,
    header_keys,
    sex_codes_from_header,
)
from vaxclean_xl.formats.import_file.spec import ImportSpec
from vaxclean_xl.io.reader import is_numbering_token
from vaxclean_xl.xlsx.ooxml import NS_MAIN, NS_R, RT_STYLES, RT_WORKSHEET
from vaxclean_xl.xlsx.package import PackageParts

HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3


class TemplateError(InputError):
    """The user's template cannot be used (not .xlsx, no header found, corrupt)."""

    code = E.BAD_TEMPLATE


@dataclass(slots=True)
class TemplateLayout:
    """Where the data goes in the user's template, as found by :func:`locate_template`."""

    path: Path
    sheet: str
    sheet_part: str  # zip member of the data sheet
    styles_part: str | None
    header_rows: tuple[int, ...]  # 1-based Excel rows
    columns: dict[str, int]  # spec column id -> 0-based column
    headers: dict[str, str]  # spec column id -> header text as found in the template
    first_row: int  # 1-based Excel row of the first record to write
    existing_rows: int  # data rows already under the headers (numbering row not counted)
    extra_columns: dict[int, str]  # template columns no spec column matched -> header text
    missing: list[str]  # spec column ids not found in the template
    sex_codes: dict[str, str] | None  # announced by the template's sex header, if any



@dataclass(slots=True)
class _Package:
    sheets: list[tuple[str, str]]  # (sheet name, part)
    styles_part: str | None


def _read_package(zin: zipfile.ZipFile) -> _Package:
    parts = PackageParts(zin)
    wb_part = parts.office_part()
    if wb_part is None:
        raise TemplateError("Tệp mẫu không phải là sổ tính Excel .xlsx hợp lệ.")
    wb_rels = {r.id: r for r in parts.rels(wb_part) if not r.external}
    sheets = []
    for el in ET.fromstring(zin.read(wb_part)).iter(f"{{{NS_MAIN}}}sheet"):
        rel = wb_rels.get(el.get(f"{{{NS_R}}}id", ""))
        part = parts.real(rel.target) if rel is not None and rel.type == RT_WORKSHEET else None
        if part is not None:
            sheets.append((el.get("name", ""), part))
    if not sheets:
        raise TemplateError("Tệp mẫu không có trang tính nào đọc được (có thể là dạng "
                            "Strict Open XML; hãy lưu lại bằng Excel dạng .xlsx).")
    styles = [real for r in wb_rels.values()
              if r.type == RT_STYLES and (real := parts.real(r.target)) is not None]
    return _Package(sheets, styles[0] if styles else None)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _display(value: object) -> str:
    if isinstance(value, str):
        return nfc(value).strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sheet_grid(sheet: Any) -> tuple[list[list[Any]], int, int, list[Any]]:
    """(rows, Excel row of rows[0] minus 1, column of element 0, merged ranges) of a sheet.

    ``to_python`` returns the used range; whether it is padded to A1 differs between
    python-calamine versions, so the offsets are taken from the range's size.
    """
    rows = sheet.to_python()  # type: ignore[attr-defined]
    start, end = sheet.start, sheet.end  # type: ignore[attr-defined]
    if not rows or start is None or end is None:
        return [], 0, 0, []
    row_off = start[0] if len(rows) == end[0] - start[0] + 1 else 0
    width = max(len(r) for r in rows)
    col_off = start[1] if width == end[1] - start[1] + 1 else 0
    try:
        merges = list(sheet.merged_cell_ranges or [])  # type: ignore[attr-defined]
    except Exception:  # merged ranges are a hint for groups; order decides without them
        merges = []
    return rows, row_off, col_off, merges


def _header_cells(upper: dict[int, str] | None, lower: dict[int, str], upper_row: int,
                  merges: list) -> list[HeaderCell]:
    """Cells of a one- or two-row header; a lower cell under a horizontal merge (or, without
    merge information, under a run that starts at an upper text) belongs to that group."""
    if upper is None:
        return [HeaderCell(c, t) for c, t in sorted(lower.items())]
    group_of: dict[int, str] = {}
    spans = [(c1, c2) for (r1, c1), (r2, c2) in merges if r1 == r2 == upper_row and c2 > c1]
    for c1, c2 in spans:
        if c1 in upper:
            for c in range(c1, c2 + 1):
                group_of[c] = upper[c1]
    if not spans:  # no merge information: a group text starts a run of sub-headers
        current: str | None = None
        for c in range(min(lower, default=0), max(lower, default=-1) + 1):
            if c in upper and c in lower:
                current = upper[c]
            elif c in upper or c not in lower:
                current = None
            if current is not None and c in lower:
                group_of[c] = current
    cells = []
    for c in sorted(set(upper) | set(lower)):
        if c in lower:
            cells.append(HeaderCell(c, lower[c], group_of.get(c)))
        elif c not in group_of:  # merged vertically: the text sits in the upper cell
            cells.append(HeaderCell(c, upper[c]))
    return cells


@dataclass(slots=True)
class _Found:
    score: int
    sheet: str
    header_rows: tuple[int, ...]
    columns: dict[str, int]
    cells: list[HeaderCell]
    first_row: int
    existing_rows: int


def _scan_sheet(name: str, sheet: object, spec: ImportSpec) -> _Found | None:
    rows, row_off, col_off, merges = sheet_grid(sheet)
    if not rows:
        return None
    texts = [{i + col_off: _display(v) for i, v in enumerate(r) if not is_blank(v)}
             for r in rows]
    best: _Found | None = None
    for i in range(min(len(rows), HEADER_SCAN_ROWS)):
        options = [(None, i)] + ([(i - 1, i)] if i > 0 and texts[i - 1] else [])
        for up, low in options:
            upper = texts[up] if up is not None else None
            cells = _header_cells(upper, texts[low], (up or 0) + row_off, merges)
            cols = assign_columns(spec.columns, cells)
            if "full_name" not in cols or len(cols) < MIN_HEADER_MATCHES:
                continue
            score = len(cols)
            if best is None or score > best.score:
                top = (up if up is not None else low) + row_off + 1
                hdr = tuple(range(top, low + row_off + 2))
                best = _Found(score, name, hdr, cols, cells, 0, 0)
    if best is None:
        return None
    # Below the headers: a column-numbering row "(1) (2) …" is kept but is not data; a row
    # holding only running numbers (a pre-filled '#' column) counts as empty: it is written.
    header_last = best.header_rows[-1]  # 1-based
    counters = {best.columns[c.id] for c in spec.columns
                if c.kind == "counter" and c.id in best.columns}
    used: list[int] = []
    for r, cells in enumerate(texts):
        excel_row = r + row_off + 1
        if excel_row <= header_last or not set(cells) - counters:
            continue
        used.append(excel_row)
        numbering = len(cells) >= 2 and all(is_numbering_token(v) for v in cells.values())
        best.existing_rows += not numbering
    best.first_row = max([header_last] + used) + 1
    return best


def locate_template(path: str | Path, spec: ImportSpec, *,
                    shown_name: str | None = None) -> TemplateLayout:
    """Find the data sheet, header rows, columns and first free row of the user's template.

    ``shown_name`` names the user's file in messages when ``path`` is a converted copy of
    it (a legacy .xls template is read through an .xlsx copy).
    """
    path = Path(path)
    name = shown_name or path.name
    if not path.is_file():
        raise TemplateError(f"Không tìm thấy tệp mẫu «{name}».", code=E.FILE_MISSING)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise TemplateError(f"Tệp mẫu «{name}» phải là .xlsx, .xlsm hoặc .xls; hãy mở bằng "
                            "Excel và lưu lại dạng .xlsx.")
    try:
        with zipfile.ZipFile(path) as zin:
            pkg = _read_package(zin)
    except (zipfile.BadZipFile, ET.ParseError, KeyError, OSError) as exc:
        raise TemplateError(f"Tệp mẫu «{name}» bị hỏng hoặc không phải .xlsx.") from exc
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        found: list[_Found] = []
        for name, _part in pkg.sheets:
            hit = _scan_sheet(name, wb.get_sheet_by_name(name), spec)
            if hit is not None:
                found.append(hit)
    except TemplateError:
        raise
    except Exception as exc:  # calamine raises its own types (and pyo3 panics)
        raise TemplateError(f"Tệp mẫu «{name}» bị hỏng, không đọc được.") from exc
    if not found:
        raise TemplateError(
            f"Không tìm thấy dòng tiêu đề của mẫu import trong «{name}» (cần ít nhất cột "
            f"«{spec.column('full_name').header}» và {MIN_HEADER_MATCHES - 1} cột khác của "
            f"mẫu {spec.id}).")
    wanted = header_keys(spec.sheet)[2]
    best = max(found, key=lambda f: (f.score, header_keys(f.sheet)[2] == wanted))
    part = dict(pkg.sheets)[best.sheet]
    by_col = {c.col: c.text for c in best.cells}
    sex_col = next((c for c in spec.columns if "field:sex" in c.sources), None)
    sex_codes = None
    if sex_col is not None and sex_col.id in best.columns:
        sex_codes = sex_codes_from_header(by_col[best.columns[sex_col.id]])
    used_cols = set(best.columns.values())
    return TemplateLayout(
        path=path, sheet=best.sheet, sheet_part=part, styles_part=pkg.styles_part,
        header_rows=best.header_rows, columns=best.columns,
        headers={cid: by_col[c] for cid, c in best.columns.items()},
        first_row=best.first_row, existing_rows=best.existing_rows,
        extra_columns={c: t for c, t in by_col.items() if c not in used_cols},
        missing=[c.id for c in spec.columns if c.id not in best.columns],
        sex_codes=sex_codes,
    )

