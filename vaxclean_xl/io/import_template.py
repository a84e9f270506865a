"""The national platform's Excel import file: its spec, a writer, and a filler for the
template the user downloads (procedure step 4, "Import đối tượng tiêm COVID-19").

Why a spec file: the official template could not be found; the layout in
``templates/import/platform-2021.json`` is evidence, not fact (sheet name, instruction rows,
two merged header rows, 26 columns A→Z, red required headers, Text-formatted cells, sex
coded 0/1). So the layout is DATA: every position, header text, number format, width, sex
code and value source lives in the spec, and a new platform version is a new spec file, not
a code change. :func:`load_spec` checks a spec and turns it into :class:`ImportSpec`.

Two writers:

* :func:`write_default_import` writes a new workbook from the spec with XlsxWriter (the
  project's writer for new files).
* :func:`fill_template` fills the file the user downloaded from the platform (the real
  template wins over our evidence). It is hand-written OOXML editing, like
  ``xlsx_annotate``, because no maintained library edits one sheet of an existing workbook
  and leaves the rest alone: openpyxl re-saves the whole package and drops what it does not
  model (extension-list validations, some styles and defined-name details), XlsxWriter only
  writes new files. Here every zip member is copied unchanged except the data sheet's XML
  (streamed row by row; new ``<row>`` elements with inline strings) and, only when no style
  can be reused, ``styles.xml`` (one Text-format ``xf`` appended).

Header matching (:func:`locate_template`) is by TEXT, hand-written for the same reason as
``io/headers.py``: NFC, case and spaces ignored, "(*)" marks ignored, then bracketed notes
ignored, then diacritics ignored; two columns with the same text ("Ngày tiêm" under "Mũi 1"
and under "Mũi 2") are told apart by the merged group cell above them, else by order.
"""

from __future__ import annotations

import json
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

from vaxclean_xl.core.model import FIELDS
from vaxclean_xl.errors import InputError
from vaxclean_xl.io.atomic import atomic_path
from vaxclean_xl.io.reader import column_index, column_letter, is_numbering_token
from vaxclean_xl.resources import resource_dir
from vaxclean_xl.settings import Settings
from vaxclean_xl.xlsx.ooxml import (  # the package's OOXML names, defined once
    NS_MAIN,
    NS_PKG_REL,
    NS_R,
    RT_OFFICE,
    RT_STYLES,
    RT_WORKSHEET,
)

SPEC_SCHEMA = "vaxclean.import-spec/1"
SPEC_DIR = resource_dir("templates") / "import"
DEFAULT_SPEC = "platform-2021"
HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3
TEXT_NUM_FMT = 49  # built-in number format "@" (Text)


_SETTINGS_KEYS = frozenset(f.name for f in fields(Settings))
_INSTRUCTION_STYLES = frozenset({"bold", "italic", "red", "large"})

Value = str | int | None


# --------------------------------------------------------------------------- errors


class SpecError(InputError):
    """The import spec file is missing or malformed."""

    code = "E402"


class TemplateError(InputError):
    """The user's template cannot be used (not .xlsx, no header found, corrupt)."""

    code = "E403"


# --------------------------------------------------------------------------- spec


@dataclass(frozen=True, slots=True)
class SpecGroup:
    """A merged group header over several columns (row 7 over rows 8's sub-headers)."""

    header: str
    first: int  # 0-based column index
    last: int
    required: bool


@dataclass(frozen=True, slots=True)
class SpecColumn:
    """One column of the import file: where, what header, which format, where values come from.

    ``sources`` are tried in order, the first non-empty value wins: ``row_number`` (running
    number), ``field:<record field>``, ``settings:<settings key>``, ``const:<text>`` or
    ``input`` (the input's own column with the same header text); none means always empty.
    """

    id: str
    index: int  # 0-based column index in the default layout
    header: str
    required: bool
    text_format: bool  # cell number format '@'
    kind: str  # "counter", "date" or "plain"
    width: float
    sources: tuple[str, ...]
    synonyms: tuple[str, ...]
    group: SpecGroup | None
    report_empty: bool

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def label(self) -> str:
        """Header text with its group, for messages ("Mũi 1 › Lô vắc xin(*)")."""
        return f"{self.group.header} › {self.header}" if self.group else self.header


@dataclass(frozen=True, slots=True)
class Instruction:
    row: int
    text: str
    style: tuple[str, ...]
    evidence: str


@dataclass(frozen=True, slots=True)
class ImportSpec:
    id: str
    title: str
    path: Path
    sheet: str
    instructions: tuple[Instruction, ...]
    header_rows: tuple[int, ...]  # 1-based Excel rows, top to bottom (1 or 2 rows)
    first_data_row: int
    date_format: str
    sex_codes: dict[str, str]
    groups: tuple[SpecGroup, ...]
    columns: tuple[SpecColumn, ...]

    def column(self, col_id: str) -> SpecColumn:
        for col in self.columns:
            if col.id == col_id:
                return col
        raise KeyError(col_id)


def spec_path(name: str | Path | None = None) -> Path:
    """A spec file: a path, or a name of ``templates/import/`` (default :data:`DEFAULT_SPEC`)."""
    if name is None:
        name = DEFAULT_SPEC
    path = Path(name)
    if path.suffix.lower() != ".json":
        return SPEC_DIR / f"{name}.json"
    if path.exists() or path.parent != Path("."):
        return path
    return SPEC_DIR / path.name


def available_specs() -> list[str]:
    """Names of the spec files shipped in ``templates/import/``."""
    return sorted(p.stem for p in SPEC_DIR.glob("*.json")) if SPEC_DIR.is_dir() else []


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def load_spec(name: str | Path | None = None) -> ImportSpec:
    """Read and check a spec file (see ``templates/import/platform-2021.json``)."""
    path = spec_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        known = ", ".join(available_specs()) or "(không có)"
        raise SpecError(f"Không đọc được tệp đặc tả mẫu import «{path.name}» (có sẵn: {known}).") \
            from exc
    except ValueError as exc:
        raise SpecError(f"Tệp đặc tả mẫu import «{path.name}» sai cú pháp JSON.") from exc

    def bad(what: str) -> SpecError:
        return SpecError(f"Tệp đặc tả mẫu import «{path.name}» không hợp lệ: {what}.")

    if not isinstance(data, dict) or data.get("schema") != SPEC_SCHEMA:
        raise bad(f"cần \"schema\": \"{SPEC_SCHEMA}\"")
    try:
        groups: list[SpecGroup] = []
        for g in data.get("groups", []):
            first, last = column_index(g["first"]), column_index(g["last"])
            if last <= first:
                raise bad(f"nhóm «{g['header']}» phải trải trên nhiều cột")
            groups.append(SpecGroup(_nfc(g["header"]), first, last, bool(g.get("required"))))
        columns: list[SpecColumn] = []
        seen_ids: set[str] = set()
        seen_cols: set[int] = set()
        for c in data["columns"]:
            idx = column_index(c["col"])
            if c["id"] in seen_ids or idx in seen_cols:
                raise bad(f"cột «{c['id']}» ({c['col']}) bị lặp")
            seen_ids.add(c["id"])
            seen_cols.add(idx)
            sources = tuple(str(s) for s in c.get("sources", []))
            for src in sources:
                _check_source(src, bad)
            kind = c.get("kind", "plain")
            if kind not in ("plain", "date", "counter"):
                raise bad(f"cột «{c['id']}»: kind «{kind}» không rõ")
            fmt = c.get("format", "general")
            if fmt not in ("text", "general"):
                raise bad(f"cột «{c['id']}»: format «{fmt}» không rõ")
            group = next((g for g in groups if g.first <= idx <= g.last), None)
            columns.append(SpecColumn(
                id=str(c["id"]), index=idx, header=_nfc(str(c["header"])),
                required=bool(c.get("required")), text_format=fmt == "text", kind=kind,
                width=float(c.get("width", 12)), sources=sources,
                synonyms=tuple(_nfc(str(s)) for s in c.get("synonyms", [])), group=group,
                report_empty=bool(c.get("report_empty", True)),
            ))
        columns.sort(key=lambda col: col.index)
        header_rows = tuple(int(r) for r in data["header_rows"])
        if not 1 <= len(header_rows) <= 2 or list(header_rows) != sorted(header_rows):
            raise bad("header_rows phải là 1 hoặc 2 dòng liên tiếp")
        if len(header_rows) == 2 and header_rows[1] != header_rows[0] + 1:
            raise bad("header_rows phải là 1 hoặc 2 dòng liên tiếp")
        if groups and len(header_rows) != 2:
            raise bad("nhóm tiêu đề cần hai dòng tiêu đề")
        first_data_row = int(data["first_data_row"])
        if first_data_row <= header_rows[-1]:
            raise bad("first_data_row phải ở dưới dòng tiêu đề")
        instructions = tuple(
            Instruction(int(i["row"]), _nfc(str(i["text"])), tuple(i.get("style", [])),
                        str(i.get("evidence", "")))
            for i in data.get("instructions", [])
        )
        for ins in instructions:
            if ins.row >= header_rows[0] or set(ins.style) - _INSTRUCTION_STYLES:
                raise bad(f"dòng hướng dẫn {ins.row} sai vị trí hoặc kiểu chữ")
        sex = {str(k): str(v) for k, v in data["sex_codes"].items()}
        if set(sex) != {"M", "F"}:
            raise bad("sex_codes cần đúng hai khóa M và F")
        spec = ImportSpec(
            id=str(data["id"]), title=_nfc(str(data.get("title", ""))), path=path,
            sheet=_nfc(str(data["sheet"])), instructions=instructions, header_rows=header_rows,
            first_data_row=first_data_row, date_format=str(data.get("date_format", "dd/mm/yyyy")),
            sex_codes=sex, groups=tuple(groups), columns=tuple(columns),
        )
    except SpecError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise bad(f"thiếu hoặc sai mục ({type(exc).__name__}: {exc})") from exc
    if spec.date_format != "dd/mm/yyyy":
        raise bad("chỉ hỗ trợ date_format dd/mm/yyyy")
    return spec


def _check_source(src: str, bad: Callable[[str], SpecError]) -> None:
    kind, _, arg = src.partition(":")
    if src in ("row_number", "input") or kind == "const":
        return
    if kind == "field" and arg in FIELDS:
        return
    if kind == "settings" and arg in _SETTINGS_KEYS:
        return
    raise bad(f"nguồn dữ liệu «{src}» không rõ")


# --------------------------------------------------------------------------- header text


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
    t = " ".join(_nfc(text).casefold().split())
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
             for code, word in _SEX_CODE_RE.findall(_fold(_nfc(text)).casefold())}
    return found if set(found) == {"M", "F"} and found["M"] != found["F"] else None


# --------------------------------------------------------------------------- default writer


def write_default_import(path: str | Path, spec: ImportSpec,
                         rows: Sequence[dict[str, Value]]) -> None:
    """Write a new import workbook laid out by ``spec`` (atomically).

    ``rows`` are spec column id -> value (text, or an int for the running number).
    """
    from vaxclean_xl.xlsx.workbook import new_workbook

    with atomic_path(path) as tmp:
        wb = new_workbook(tmp)
        try:
            _write_sheet(wb, spec, rows)
        finally:
            wb.close()


def _write_sheet(wb, spec: ImportSpec, rows: Sequence[dict[str, Value]]) -> None:
    ws = wb.add_worksheet(spec.sheet)
    text_fmt = wb.add_format({"num_format": "@"})
    for ins in spec.instructions:
        props: dict[str, object] = {}
        if "bold" in ins.style:
            props["bold"] = True
        if "italic" in ins.style:
            props["italic"] = True
        if "red" in ins.style:
            props["font_color"] = "#FF0000"
        if "large" in ins.style:
            props["font_size"] = 13
        ws.write_string(ins.row - 1, 0, ins.text, wb.add_format(props) if props else None)

    def head_fmt(required: bool):
        return wb.add_format({
            "bold": True, "text_wrap": True, "align": "center", "valign": "vcenter",
            "border": 1, "bg_color": "#DDEBF7", "font_color": "#FF0000" if required else "#000000",
        })

    red, black = head_fmt(True), head_fmt(False)
    top = spec.header_rows[0] - 1
    bottom = spec.header_rows[-1] - 1
    for g in spec.groups:
        ws.merge_range(top, g.first, top, g.last, g.header, red if g.required else black)
    for col in spec.columns:
        fmt = red if col.required else black
        ws.set_column(col.index, col.index, col.width, text_fmt if col.text_format else None)
        if col.group is not None:
            ws.write_string(bottom, col.index, col.header, fmt)
        elif top == bottom:
            ws.write_string(top, col.index, col.header, fmt)
        else:
            ws.merge_range(top, col.index, bottom, col.index, col.header, fmt)
    ws.set_row(bottom, 45)
    r = spec.first_data_row - 1
    for values in rows:
        for col in spec.columns:
            value = values.get(col.id)
            fmt = text_fmt if col.text_format else None
            if isinstance(value, int) and not isinstance(value, bool):
                ws.write_number(r, col.index, value, fmt)
            elif value:
                ws.write_string(r, col.index, _nfc(str(value)), fmt)
            elif fmt is not None:
                ws.write_blank(r, col.index, None, fmt)
        r += 1


# --------------------------------------------------------------------------- user's template


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
    names: dict[str, str]  # lower-case part name -> member name
    sheets: list[tuple[str, str]]  # (sheet name, part)
    styles_part: str | None


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(from_part: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_part), target))


def _rels(zin: zipfile.ZipFile, names: dict[str, str], part: str) -> list[tuple[str, str, str]]:
    """(id, type, resolved target) of the internal relationships of ``part``."""
    member = names.get(_rels_part(part).lower())
    if member is None:
        return []
    out = []
    for el in ET.fromstring(zin.read(member)):
        if el.tag == f"{{{NS_PKG_REL}}}Relationship" and el.get("TargetMode") != "External":
            out.append((el.get("Id", ""), el.get("Type", ""),
                        _resolve(part, el.get("Target", ""))))
    return out


def _read_package(zin: zipfile.ZipFile) -> _Package:
    names = {i.filename.lower(): i.filename for i in zin.infolist() if not i.is_dir()}
    office = [t for _i, typ, t in _rels(zin, names, "") if typ == RT_OFFICE]
    if not office or office[0].lower() not in names:
        raise TemplateError("Tệp mẫu không phải là sổ tính Excel .xlsx hợp lệ.")
    wb_part = names[office[0].lower()]
    wb_rels = {rid: (typ, target) for rid, typ, target in _rels(zin, names, wb_part)}
    sheets = []
    for el in ET.fromstring(zin.read(wb_part)).iter(f"{{{NS_MAIN}}}sheet"):
        typ, target = wb_rels.get(el.get(f"{{{NS_R}}}id", ""), ("", ""))
        if typ == RT_WORKSHEET and target.lower() in names:
            sheets.append((el.get("name", ""), names[target.lower()]))
    if not sheets:
        raise TemplateError("Tệp mẫu không có trang tính nào đọc được (có thể là dạng "
                            "Strict Open XML; hãy lưu lại bằng Excel dạng .xlsx).")
    styles = [t for typ, t in wb_rels.values() if typ == RT_STYLES and t.lower() in names]
    return _Package(names, sheets, names[styles[0].lower()] if styles else None)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _display(value: object) -> str:
    if isinstance(value, str):
        return _nfc(value).strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_grid(sheet: object) -> tuple[list[list], int, int, list]:
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
    rows, row_off, col_off, merges = _sheet_grid(sheet)
    if not rows:
        return None
    texts = [{i + col_off: _display(v) for i, v in enumerate(r) if not _blank(v)}
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


def locate_template(path: str | Path, spec: ImportSpec) -> TemplateLayout:
    """Find the data sheet, header rows, columns and first free row of the user's template."""
    path = Path(path)
    if not path.is_file():
        raise TemplateError(f"Không tìm thấy tệp mẫu «{path.name}».", code="E101")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise TemplateError(f"Tệp mẫu «{path.name}» phải là .xlsx (hoặc .xlsm); hãy mở bằng "
                            "Excel và lưu lại dạng .xlsx.")
    try:
        with zipfile.ZipFile(path) as zin:
            pkg = _read_package(zin)
    except (zipfile.BadZipFile, ET.ParseError, KeyError, OSError) as exc:
        raise TemplateError(f"Tệp mẫu «{path.name}» bị hỏng hoặc không phải .xlsx.") from exc
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
        raise TemplateError(f"Tệp mẫu «{path.name}» bị hỏng, không đọc được.") from exc
    if not found:
        raise TemplateError(
            f"Không tìm thấy dòng tiêu đề của mẫu import trong «{path.name}» (cần ít nhất cột "
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


# --------------------------------------------------------------------------- XML helpers

_ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_ESCAPE_RE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_ROOT_RE = re.compile(rb"<(?!\?|!)([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)\b")
_REF_RE = re.compile(rb"([A-Za-z]{1,3})(\d+)")
CHUNK = 1 << 20
MAX_CELL_TEXT = 32_767


def _esc(text: str) -> str:
    """Element text: illegal characters dropped, OOXML ``_xHHHH_`` escaped, XML escaped."""
    text = _OOXML_ESCAPE_RE.sub(r"_x005F_\1", _ILLEGAL_XML_RE.sub("", text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"(?:^|\s)" + re.escape(name) + rb"\s*=\s*[\"']([^\"']*)[\"']", attrs)
    return m.group(1) if m else None


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    pat = re.compile(rb"(\s" + re.escape(name) + rb"\s*=\s*)(\"[^\"]*\"|'[^']*')")
    if pat.search(tag):
        return pat.sub(lambda m: m.group(1) + b'"' + value + b'"', tag, count=1)
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end] + b" " + name + b'="' + value + b'"' + tag[end:]


def _parse_ref(ref: bytes) -> tuple[int, int]:
    """b"B5" -> (row 5, col 1)."""
    m = _REF_RE.fullmatch(ref.replace(b"$", b"").strip())
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), column_index(m.group(1).decode())


class _SheetStream:
    """Cuts a worksheet XML stream into head (through ``<sheetData>``), rows, and tail.

    Rows are matched one at a time (regular expressions over bytes, never a DOM), so memory
    stays bounded by the largest row, whatever the sheet's size.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        buf = b""
        pattern = re.compile(rb"<([\w.-]+:)?sheetData\b[^>]*?(/?)>")
        while True:
            m = pattern.search(buf)
            if m:
                break
            chunk = stream.read(CHUNK)
            if not chunk:
                raise TemplateError("Tệp mẫu bị hỏng: trang tính không có <sheetData>.")
            buf += chunk
        root = _ROOT_RE.search(buf)
        self.prefix = (root.group(1) or b"") if root else b""
        self.head = buf[: m.end()]
        self.self_closing = bool(m.group(2))
        self.buf = buf[m.end():]
        p = re.escape(self.prefix)
        self.row_re = re.compile(rb"\s*<" + p + rb"row\b([^>]*?)(?:/>|>(.*?)</" + p + rb"row\s*>)",
                                 re.S)
        self.end_re = re.compile(rb"\s*</" + p + rb"sheetData\s*>")
        self.tail = b""

    def rows(self) -> Iterator[tuple[int, bytes, bytes, bytes]]:
        """(row number, attributes, inner XML, whole element) of each row, in order."""
        if self.self_closing:
            self.tail = self.buf + self.stream.read()
            return
        prev = 0
        pos = 0
        while True:
            m = self.row_re.match(self.buf, pos)
            if m:
                r = _attr(m.group(1), b"r")
                prev = int(r) if r else prev + 1
                pos = m.end()
                yield prev, m.group(1), m.group(2) or b"", m.group(0)
                continue
            e = self.end_re.match(self.buf, pos)
            if e:
                self.tail = self.buf[e.end():] + self.stream.read()
                return
            chunk = self.stream.read(CHUNK)
            if not chunk:
                raise TemplateError("Tệp mẫu bị hỏng: trang tính bị cắt ngang.")
            self.buf = self.buf[pos:] + chunk
            pos = 0


@dataclass(slots=True)
class _SheetFacts:
    """What the filler needs to know about the sheet before writing it."""

    prefix: bytes  # namespace prefix of the worksheet's elements (b"" or b"x:")
    row_styles: dict[int, int]  # 0-based column -> style of the first data row's cell
    row_style: int | None  # the first data row's own style (customFormat rows)
    col_styles: list[tuple[int, int, int]]  # (first, last 0-based, style) from <cols>


def _peek_sheet(zin: zipfile.ZipFile, part: str, style_row: int) -> _SheetFacts:
    with zin.open(part) as stream:
        sheet = _SheetStream(stream)
        facts = _SheetFacts(sheet.prefix, {}, None, [])
        p = re.escape(sheet.prefix)
        cols = re.search(rb"<" + p + rb"cols\b[^>]*>(.*?)</" + p + rb"cols>", sheet.head, re.S)
        if cols:
            for col in re.finditer(rb"<" + p + rb"col\b([^>]*?)/?>", cols.group(1)):
                lo = int(_attr(col.group(1), b"min") or 1)
                hi = int(_attr(col.group(1), b"max") or lo)
                style = _attr(col.group(1), b"style")
                if style and style.isdigit():
                    facts.col_styles.append((lo - 1, hi - 1, int(style)))
        cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>.*?</" + p + rb"c>)", re.S)
        for number, attrs, inner, _whole in sheet.rows():
            if number < style_row:
                continue
            if number == style_row:
                if _attr(attrs, b"customFormat") in (b"1", b"true"):
                    s = _attr(attrs, b"s")
                    facts.row_style = int(s) if s and s.isdigit() else None
                col = -1
                for c in cell_re.finditer(inner):
                    ref = _attr(c.group(1), b"r")
                    col = _parse_ref(ref)[1] if ref else col + 1
                    s = _attr(c.group(1), b"s")
                    if s and s.isdigit():
                        facts.row_styles[col] = int(s)
            break
    return facts


def _add_text_xf(styles_xml: bytes) -> tuple[bytes, int]:
    """styles.xml with one more cellXfs entry: xf 0 with the Text number format."""
    root = _ROOT_RE.search(styles_xml)
    prefix = (root.group(1) or b"") if root else b""
    p = re.escape(prefix)
    m = re.search(rb"<" + p + rb"cellXfs\b[^>]*?(/?)>", styles_xml)
    if m is None:
        raise TemplateError("Tệp mẫu bị hỏng: styles.xml không có <cellXfs>.")
    if m.group(1):
        inner, end = b"", m.end()
        start_tag = m.group(0)[:-2] + b">"
    else:
        end = styles_xml.index(b"</" + prefix + b"cellXfs>", m.end())
        inner = styles_xml[m.end():end]
        start_tag = m.group(0)
    xfs = re.findall(rb"<" + p + rb"xf\b(?:[^>]*?/>|.*?</" + p + rb"xf>)", inner, re.S)
    first = re.match(rb"<" + p + rb"xf\b[^>]*?/?>", xfs[0]) if xfs else None
    tag = first.group(0) if first else b"<" + prefix + b'xf numFmtId="0" fontId="0" ' \
        b'fillId="0" borderId="0"/>'
    if not tag.endswith(b"/>"):
        tag = tag[:-1] + b"/>"
    tag = _set_attr(_set_attr(tag, b"numFmtId", b"%d" % TEXT_NUM_FMT), b"applyNumberFormat", b"1")
    index = len(xfs)
    start_tag = _set_attr(start_tag, b"count", b"%d" % (index + 1))
    if m.group(1):
        new = start_tag + tag + b"</" + prefix + b"cellXfs>"
        return styles_xml[: m.start()] + new + styles_xml[m.end():], index
    return styles_xml[: m.start()] + start_tag + inner + tag + styles_xml[end:], index


class _Filler:
    """Streams the data sheet, writing the records from ``first_row`` down."""

    def __init__(self, prefix: bytes, first_row: int,
                 cells: list[dict[int, tuple[Value, int | None]]]) -> None:
        self.p = prefix
        self.first_row = first_row
        self.cells = cells  # per record: column -> (value, style)
        self.last_row = first_row + len(cells) - 1
        self.max_col = max((max(c) for c in cells if c), default=-1)
        pe = re.escape(prefix)
        self.cell_re = re.compile(rb"<" + pe + rb"c\b([^>]*?)(?:/>|>.*?</" + pe + rb"c>)", re.S)

    def _cell(self, row: int, col: int, value: Value, style: int | None) -> bytes:
        p = self.p.decode()
        ref = f"{column_letter(col)}{row}"
        s = f' s="{style}"' if style is not None else ""
        if isinstance(value, int) and not isinstance(value, bool):
            return f'<{p}c r="{ref}"{s}><{p}v>{value}</{p}v></{p}c>'.encode()
        if value:
            text = _esc(_nfc(str(value))[:MAX_CELL_TEXT])
            return (f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                    f"{text}</{p}t></{p}is></{p}c>").encode()
        return f'<{p}c r="{ref}"{s}/>'.encode() if style is not None else b""

    def new_row(self, row: int) -> bytes:
        own = self.cells[row - self.first_row]
        body = b"".join(self._cell(row, c, *own[c]) for c in sorted(own))
        return b"<" + self.p + b'row r="%d">' % row + body + b"</" + self.p + b"row>"

    def merged_row(self, row: int, attrs: bytes, inner: bytes) -> bytes:
        """An existing (pre-formatted, empty) row with our cells put in (their styles kept)."""
        own = self.cells[row - self.first_row]
        cells: dict[int, bytes] = {}
        col = -1
        for m in self.cell_re.finditer(inner):
            ref = _attr(m.group(1), b"r")
            col = _parse_ref(ref)[1] if ref else col + 1
            whole = m.group(0)
            if col in own:
                s = _attr(m.group(1), b"s")
                value, style = own[col]
                cells[col] = self._cell(row, col, value, int(s) if s and s.isdigit() else style)
            else:
                if not ref:
                    at = 2 + len(self.p)
                    whole = whole[:at] + f' r="{column_letter(col)}{row}"'.encode() + whole[at:]
                cells[col] = whole
        for c, (value, style) in own.items():
            if c not in cells:
                cells[c] = self._cell(row, c, value, style)
        attrs = re.sub(rb"\sspans\s*=\s*(\"[^\"]*\"|'[^']*')", b"", attrs)
        if _attr(attrs, b"r") is None:
            attrs = b' r="%d"' % row + attrs
        body = b"".join(cells[c] for c in sorted(cells))
        return b"<" + self.p + b"row" + attrs + b">" + body + b"</" + self.p + b"row>"

    def head(self, head: bytes, self_closing: bool) -> bytes:
        p = re.escape(self.p)
        dm = re.search(rb"<" + p + rb"dimension\b[^>]*?/?>", head)
        if dm and self.cells:
            ref = _attr(dm.group(0), b"ref") or b"A1"
            try:
                corners = [_parse_ref(x) for x in ref.split(b":")]
            except ValueError:
                corners = [(1, 0)]
            top = min(r for r, _ in corners)
            left = min(c for _, c in corners)
            bottom = max([r for r, _ in corners] + [self.last_row])
            right = max([c for _, c in corners] + [self.max_col])
            new = f"{column_letter(left)}{top}:{column_letter(right)}{bottom}".encode()
            head = head[: dm.start()] + _set_attr(dm.group(0), b"ref", new) + head[dm.end():]
        if self_closing:
            sd = re.search(rb"<" + p + rb"sheetData\b([^>]*?)/>", head)
            assert sd is not None
            head = head[: sd.start()] + b"<" + self.p + b"sheetData" + sd.group(1) + b">" \
                + head[sd.end():]
        return head

    def rewrite(self, stream: IO[bytes], write: Callable[[bytes], object]) -> None:
        sheet = _SheetStream(stream)
        write(self.head(sheet.head, sheet.self_closing))
        nxt = self.first_row
        out: list[bytes] = []
        size = 0
        for number, attrs, inner, whole in sheet.rows():
            while nxt <= self.last_row and nxt < number:
                out.append(self.new_row(nxt))
                nxt += 1
            if nxt <= self.last_row and nxt == number:
                out.append(self.merged_row(number, attrs, inner))
                nxt += 1
            else:
                out.append(whole)
            size += len(out[-1])
            if size > CHUNK:
                write(b"".join(out))
                out, size = [], 0
        while nxt <= self.last_row:
            out.append(self.new_row(nxt))
            nxt += 1
        out.append(b"</" + self.p + b"sheetData>")
        write(b"".join(out))
        write(sheet.tail)


@dataclass(slots=True)
class FillResult:
    first_row: int
    last_row: int
    styles_changed: bool
    changed_parts: list[str] = field(default_factory=list)


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type = (info.compress_type if info.compress_type
                         in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED)
    new.external_attr = info.external_attr
    new.comment = info.comment
    return new


def fill_template(layout: TemplateLayout, output: str | Path, spec: ImportSpec,
                  rows: Sequence[dict[str, Value]]) -> FillResult:
    """Write ``output``: the template with ``rows`` under its headers, nothing else changed.

    Cell styles: the style of the template's first data-row cell in that column, else the
    column's style, else (Text-format columns only) a Text ``xf`` added to styles.xml.
    """
    style_row = layout.header_rows[-1] + 1
    with zipfile.ZipFile(layout.path) as zin:
        facts = _peek_sheet(zin, layout.sheet_part, style_row)
        styles_xml: bytes | None = None
        text_xf: int | None = None
        col_style: dict[int, int | None] = {}
        for col in spec.columns:
            c = layout.columns.get(col.id)
            if c is None:
                continue
            style = facts.row_styles.get(c)
            if style is None:
                style = next((s for lo, hi, s in facts.col_styles if lo <= c <= hi),
                             facts.row_style)
            if style is None and col.text_format and layout.styles_part:
                if text_xf is None:
                    styles_xml, text_xf = _add_text_xf(zin.read(layout.styles_part))
                style = text_xf
            col_style[c] = style
        cells = [
            {c: (values.get(cid), col_style[c]) for cid, c in layout.columns.items()
             if values.get(cid) not in (None, "") or col_style[c] is not None}
            for values in rows
        ]
        changed = [layout.sheet_part] + ([layout.styles_part] if styles_xml is not None else [])
        filler = _Filler(facts.prefix, layout.first_row, cells)
        with atomic_path(output) as tmp, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
            for info in zin.infolist():
                if info.filename == layout.sheet_part:
                    new = _copy_info(info)
                    new.compress_type = zipfile.ZIP_DEFLATED
                    big = info.file_size > (1 << 30)
                    with zin.open(info) as src, zout.open(new, "w", force_zip64=big) as dst:
                        filler.rewrite(src, dst.write)
                elif styles_xml is not None and info.filename == layout.styles_part:
                    zout.writestr(_copy_info(info), styles_xml)
                else:
                    with zin.open(info) as src, zout.open(_copy_info(info), "w") as dst:
                        while block := src.read(CHUNK):
                            dst.write(block)
    return FillResult(layout.first_row, layout.first_row + len(rows) - 1,
                      styles_xml is not None, changed)
