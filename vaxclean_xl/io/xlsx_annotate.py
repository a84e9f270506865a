"""Write a copy of the user's own .xlsx/.xlsm with bad cells coloured and annotated.

Why this is hand-written: no maintained Python library edits one sheet of an *existing*
workbook in place. openpyxl loads the whole workbook into its object model and re-saves it,
which silently drops what it does not model (data-validation and conditional-format
extension lists such as ``x14:dataValidation``, slicers, form controls, some chart details)
and needs gigabytes for a million-row sheet; XlsxWriter only writes new files. So this
module edits the OOXML package directly:

* every zip member is copied byte for byte, except the few parts that must change: the
  annotated worksheet, its ``.rels``, ``styles.xml``, ``[Content_Types].xml`` and, for the
  added sheets, ``workbook.xml`` and its ``.rels``; new parts (notes, VML, added sheets,
  drawings, charts) are added. A sheet an earlier run added is rewritten in place, and
  the parts only it used (its drawing, chart, .rels) go. Two more parts may go:
  ``calcChain.xml`` when cells get new values (a replaced formula would leave it naming a
  cell without one, which Excel "repairs"; Excel rebuilds the chain on its own), and the VBA
  project when an .xlsm is written under an .xlsx name (Excel refuses to open a
  macro-enabled package with the .xlsx extension);
* the worksheet is streamed: read in blocks, cut at ``</row>``, and only the rows that get a
  status, a mark or a new value are parsed (regular expressions over bytes, never a DOM), so
  memory stays bounded for a 1,000,000-row sheet;
* new cell values (``values=``) replace a cell's content but keep its style; a digit string
  (an ID, a phone number) gets a Text clone of the style so Excel never turns it into a
  number, a date gets a dd/mm/yyyy clone unless the cell already had a date format;
* the small parts are edited textually (insertions before a closing tag, attribute edits) so
  their namespace prefixes and ``mc:Ignorable`` declarations stay exactly as Excel wrote them.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import os
import posixpath
import queue
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

import jinja2

from vaxclean_xl.errors import InputError, OutputError
from vaxclean_xl.io.atomic import atomic_path
from vaxclean_xl.io.reader import column_letter
from vaxclean_xl.resources import resource_dir

__all__ = [
    "CellMark",
    "CellValue",
    "SummarySheet",
    "SummaryTable",
    "SameFileError",
    "WorkbookPackageError",
    "annotate_xlsx",
]


@dataclass(frozen=True, slots=True)
class CellMark:
    """One cell to colour and annotate."""

    row: int  # Excel row number, 1-based
    col: int  # column index, 0-based (A=0)
    severity: str  # "error" (fill red FFC7CE) or "warning" (fill yellow FFEB9C)
    note: str  # text of the cell note (comment); several lines allowed


# A new cell value: text (always kept as text), a number, a date/datetime, or None (empty).
CellValue = str | int | float | _dt.date | None


@dataclass(frozen=True, slots=True)
class SummaryTable:
    """A small table of an added sheet: a title line ("" for none), a header row, data rows."""

    title: str
    headers: list[str]
    rows: list[list[str | int | float | None]]


@dataclass(frozen=True, slots=True)
class SummarySheet:
    """A sheet added after the user's sheets: title, tables, optionally one bar chart.

    With an empty ``title`` and a single table with an empty title, the header row is row 1:
    a plain table sheet (``freeze_filter`` then freezes it and puts an autofilter on it).
    """

    name: str  # e.g. "Tổng hợp"; made unique, or replacing the sheet an earlier run added
    title: str  # title line in A1 ("" for none: the first table starts in row 1)
    tables: list[SummaryTable]  # written one under the other, a blank row between
    chart_table: int = -1  # table to chart (1st column = categories, 2nd = values); <0: none
    chart_title: str = ""
    freeze_filter: bool = False  # freeze the rows down to the 1st table's header; autofilter


class SameFileError(OutputError, ValueError):
    """The output path is the input file: writing it would destroy the user's original."""


class WorkbookPackageError(InputError, ValueError):
    """The source is not a usable .xlsx/.xlsm package (not a zip, no such sheet, ...)."""


# --------------------------------------------------------------------------- constants

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
RT_OFFICE = NS_R + "/officeDocument"
RT_WORKSHEET = NS_R + "/worksheet"
RT_STYLES = NS_R + "/styles"
RT_COMMENTS = NS_R + "/comments"
RT_VML = NS_R + "/vmlDrawing"
RT_DRAWING = NS_R + "/drawing"
RT_CHART = NS_R + "/chart"
RT_CALC_CHAIN = NS_R + "/calcChain"
RT_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_MAIN_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"

FILL_RGB = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
HEADER_FILL_RGB = "FFDDEBF7"
NOTE_AUTHOR = "vaxclean"
MAX_ROW = 1_048_576
PAPER_A4 = 9  # SpreadsheetML paperSize
MAX_COL = 16_384
MAX_CELL_TEXT = 32_767
CHUNK = 1 << 22  # 4 MiB blocks of worksheet XML
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

TEMPLATES_DIR = resource_dir("templates")
CHART_TEMPLATE = "summary_chart.xml.j2"

# Worksheet children that must come before <legacyDrawing> (CT_Worksheet sequence).
_BEFORE_LEGACY_DRAWING = frozenset(
    "sheetPr dimension sheetViews sheetFormatPr cols sheetData sheetCalcPr sheetProtection "
    "protectedRanges scenarios autoFilter sortState dataConsolidate customSheetViews "
    "mergeCells phoneticPr conditionalFormatting dataValidations hyperlinks printOptions "
    "pageMargins pageSetup headerFooter rowBreaks colBreaks customProperties cellWatches "
    "ignoredErrors smartTags drawing".split()
)
_STYLE_ORDER = (
    "numFmts fonts fills borders cellStyleXfs cellXfs cellStyles dxfs tableStyles colors extLst"
).split()
_STYLE_CHILD = {"fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf"}
_STYLE_DEFAULTS = {
    "fonts": '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    "fills": '<fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>',
    "borders": "<border><left/><right/><top/><bottom/><diagonal/></border>",
    "cellXfs": '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',
}
_MINIMAL_STYLES = (
    XML_DECL + f'<styleSheet xmlns="{NS_MAIN}"><cellStyleXfs count="1">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs></styleSheet>'
)

_TAG_RE = re.compile(r"""<(/?)([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""")
_ROOT_RE = re.compile(r"""<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_ESCAPE_RE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_REF_RE = re.compile(rb"([A-Za-z]{1,3})(\d+)")
_DIGITS_RE = re.compile(r"[0-9]+")
# Built-in number formats that show a date or a time (ECMA-376 18.8.30, with the CJK ones).
_DATE_FMT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
TEXT_FMT_ID = 49  # "@"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
_SHEET_NAME_BAD_RE = re.compile(r"[\[\]:*?/\\]")


# --------------------------------------------------------------------------- small helpers


col_letter = cache(column_letter)  # 0-based column index -> Excel letters, memoised


def col_index(letters: str) -> int:
    """Excel letters -> 0-based column index ("A" -> 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _parse_ref(ref: str) -> tuple[int, int]:
    """Parse a cell reference: "B5" -> (row 5, col 1)."""
    m = _REF_RE.fullmatch(ref.strip().replace("$", "").encode())
    if not m:
        raise ValueError(f"bad cell reference {ref!r}")
    return int(m.group(2)), col_index(m.group(1).decode())


def _esc_text(text: str) -> str:
    """Escape for element text; also OOXML's ``_xHHHH_`` convention and illegal chars."""
    text = _ILLEGAL_XML_RE.sub("", text)
    text = _OOXML_ESCAPE_RE.sub(r"_x005F_\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_attr(text: str) -> str:
    """Escape for a double-quoted attribute value (no OOXML ``_x`` escaping)."""
    text = _ILLEGAL_XML_RE.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
    )


def _esc_formula(text: str) -> str:
    """Escape a formula (or defined name) for element text: XML only, no ``_xHHHH_``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _unesc(text: str) -> str:
    """Undo XML escaping of an attribute/text value (entities and character references)."""

    def repl(m: re.Match[str]) -> str:
        ent = m.group(1)
        if ent.startswith("#x") or ent.startswith("#X"):
            return chr(int(ent[2:], 16))
        if ent.startswith("#"):
            return chr(int(ent[1:]))
        return {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}.get(ent, m.group(0))

    return re.sub(r"&(#?\w+);", repl, text)


def _get_attr(attrs: str, name: str) -> str | None:
    m = re.search(rf"""(?:^|\s){re.escape(name)}\s*=\s*("([^"]*)"|'([^']*)')""", attrs)
    if not m:
        return None
    return _unesc(m.group(2) if m.group(2) is not None else m.group(3))


def _set_attr(tag: str, name: str, value: str) -> str:
    """Set ``name="value"`` in a start tag (``<x ...>`` or ``<x .../>``) keeping the rest."""
    pat = re.compile(rf"""(\s{re.escape(name)}\s*=\s*)("[^"]*"|'[^']*')""")
    if pat.search(tag):
        return pat.sub(lambda m: f'{m.group(1)}"{value}"', tag, count=1)
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:end]} {name}="{value}"{tag[end:]}'


def _root(xml: str) -> tuple[str, str, re.Match[str]]:
    """(prefix with colon or "", local name, match of the root start tag)."""
    m = _ROOT_RE.search(xml)
    if not m:
        raise WorkbookPackageError("Tệp Excel bị hỏng: một phần XML không có phần tử gốc.")
    return m.group(1) or "", m.group(2), m


def _ns_prefix(root_tag: str, namespace: str) -> str | None:
    m = re.search(rf'xmlns:([\w.-]+)\s*=\s*["\']{re.escape(namespace)}["\']', root_tag)
    return m.group(1) if m else None


def _append_children(xml: str, prefix: str, name: str, children: str) -> str:
    """Insert ``children`` at the end of the last ``<prefix:name>`` element (textually)."""
    close = f"</{prefix}{name}>"
    idx = xml.rfind(close)
    if idx >= 0:
        return xml[:idx] + children + xml[idx:]
    found = list(re.finditer(rf"<{re.escape(prefix + name)}\b([^>]*?)/>", xml))
    if not found:
        raise WorkbookPackageError(f"Tệp Excel bị hỏng: thiếu phần tử <{name}>.")
    m = found[-1]
    return xml[: m.start()] + f"<{prefix}{name}{m.group(1)}>{children}{close}" + xml[m.end() :]


def _fresh_name(names: set[str], pattern: str) -> str:
    """First ``pattern.format(n)`` (n = 1, 2, ...) that is not a part of the package."""
    n = 1
    while pattern.format(n).lower() in names:
        n += 1
    name = pattern.format(n)
    names.add(name.lower())
    return name


def _fresh_rid(ids: set[str]) -> str:
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    ids.add(f"rId{n}")
    return f"rId{n}"


def _is_date_code(code: str) -> bool:
    """Does a number format code show a date or a time (its first section has d/m/y/h/s)?"""
    code = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code)  # literals, escapes, padding
    code = re.sub(r"\[(?![hms]+\])[^\]]*\]", "", code, flags=re.I)  # [Red], [$-42A], not [h]
    return re.search(r"[dmyhs]", code.split(";")[0], re.I) is not None


def _excel_serial(value: _dt.date, date1904: bool) -> int | float | None:
    """Excel's serial number of a date/datetime, or None when it cannot be one (before 1900,
    or before 1904 in a 1904-based workbook)."""
    frac = 0.0
    if isinstance(value, _dt.datetime):
        day = value.date()
        t = value.time()
        frac = (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400
    else:
        day = value
    if date1904:
        days = (day - _dt.date(1904, 1, 1)).days
    else:  # Excel counts the non-existent 29/02/1900, so later days are one more
        days = (day - _dt.date(1899, 12, 31)).days + (day >= _dt.date(1900, 3, 1))
        if day < _dt.date(1900, 1, 1):
            return None
    if days < 0:
        return None
    return days + frac if frac else days


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _rel_target(from_part: str, to_part: str) -> str:
    return posixpath.relpath(to_part, posixpath.dirname(from_part) or ".")


def _resolve(from_part: str, target: str) -> str:
    target = target.split("#", 1)[0]
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_part), target))


@dataclass(frozen=True, slots=True)
class _Rel:
    id: str
    type: str
    target: str  # resolved part name for internal targets, raw target for external ones
    external: bool


def _parse_rels(xml: str | None, source_part: str) -> list[_Rel]:
    if not xml:
        return []
    rels = []
    for el in ET.fromstring(xml.encode()):
        if el.tag != f"{{{NS_PKG_REL}}}Relationship":
            continue
        external = el.get("TargetMode", "") == "External"
        target = el.get("Target", "")
        rels.append(
            _Rel(
                el.get("Id", ""),
                el.get("Type", ""),
                target if external else _resolve(source_part, target),
                external,
            )
        )
    return rels


def _rels_xml(xml: str | None, new: list[tuple[str, str, str]]) -> str:
    """Add ``(id, type, target)`` relationships to a .rels part (or create it)."""
    items = "".join(
        f'<Relationship Id="{rid}" Type="{_esc_attr(typ)}" Target="{_esc_attr(target)}"/>'
        for rid, typ, target in new
    )
    if not xml:
        return XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}">{items}</Relationships>'
    prefix, _, _ = _root(xml)
    return _append_children(xml, prefix, "Relationships", items)


# --------------------------------------------------------------------------- plan


@dataclass(slots=True)
class _Plan:
    """The caller's request normalised: per row, what to write and what to mark."""

    header_row: int
    headers: list[str]
    status: dict[int, list[str]]
    marks: dict[int, dict[int, tuple[str, str]]]  # row -> col -> (severity, note)
    widths: list[float]
    values: dict[int, dict[int, CellValue]]  # row -> col -> new cell value

    @property
    def max_mark_col(self) -> int:
        return max((max(cols) for cols in self.marks.values() if cols), default=-1)

    @property
    def max_value_col(self) -> int:
        return max((max(cols) for cols in self.values.values() if cols), default=-1)

    def notes(self) -> list[tuple[int, int, str]]:
        out = []
        for row in sorted(self.marks):
            for col, (_sev, note) in sorted(self.marks[row].items()):
                if note.strip():
                    out.append((row, col, note))
        return out


def _make_plan(
    header_row: int,
    status_headers: list[str],
    status_rows: dict[int, list[str]],
    marks: Iterable[CellMark],
    cell_values: Mapping[tuple[int, int], CellValue] | None = None,
) -> _Plan:
    if not 1 <= header_row <= MAX_ROW:
        raise ValueError(f"header_row out of range: {header_row}")
    headers = [str(h) for h in status_headers]
    status: dict[int, list[str]] = {}
    for row, values in status_rows.items():
        if not 1 <= row <= MAX_ROW:
            raise ValueError(f"status row out of range: {row}")
        if row == header_row:
            raise ValueError("status_rows must not contain header_row")
        if len(values) > len(headers):
            raise ValueError(f"row {row}: {len(values)} status values for {len(headers)} headers")
        status[row] = ["" if v is None else str(v) for v in values]
    merged: dict[int, dict[int, tuple[str, str]]] = {}
    for mark in marks:
        sev = str(mark.severity)
        if sev not in FILL_RGB:
            raise ValueError(f"severity must be 'error' or 'warning', not {mark.severity!r}")
        if not (1 <= mark.row <= MAX_ROW and 0 <= mark.col < MAX_COL):
            raise ValueError(f"mark outside the sheet: row {mark.row}, col {mark.col}")
        cols = merged.setdefault(mark.row, {})
        old = cols.get(mark.col)
        if old is None:
            cols[mark.col] = (sev, mark.note)
        else:  # several findings on one cell: error wins, notes are joined
            sev = "error" if "error" in (old[0], sev) else "warning"
            note = "\n".join(n for n in (old[1], mark.note) if n)
            cols[mark.col] = (sev, note)
    widths = []
    for i, head in enumerate(headers):
        texts = {values[i] for values in status.values() if i < len(values)}  # few distinct
        longest = max([len(head)] + [len(line) for t in texts for line in t.splitlines()])
        widths.append(float(min(40, max(18, longest + 2))))
    new_values: dict[int, dict[int, CellValue]] = {}
    for (row, col), value in (cell_values or {}).items():
        if not (1 <= row <= MAX_ROW and 0 <= col < MAX_COL):
            raise ValueError(f"value outside the sheet: row {row}, col {col}")
        if value is not None and not isinstance(value, str | int | float | _dt.date):
            raise TypeError(f"row {row}, col {col}: unsupported cell value {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"row {row}, col {col}: {value!r} cannot be stored in a cell")
        if isinstance(value, str):
            value = value[:MAX_CELL_TEXT]
        new_values.setdefault(row, {})[col] = value
    return _Plan(header_row, headers, status, merged, widths, new_values)


# --------------------------------------------------------------------------- styles


class _Styles:
    """Textual editor of styles.xml: appends fonts/fills/borders/xfs, keeps everything else."""

    def __init__(self, xml: str | None) -> None:
        self.xml = xml if xml is not None else _MINIMAL_STYLES
        self.p = _root(self.xml)[0]
        self.has_style_xfs = re.search(rf"<{re.escape(self.p)}cellStyleXfs\b", self.xml) is not None
        self.items: dict[str, list[str]] = {}
        self.new: dict[str, list[str]] = {}
        for coll, child in _STYLE_CHILD.items():
            inner = self._inner(coll)
            p = re.escape(self.p)
            found = re.findall(rf"<{p}{child}\b(?:[^>]*?/>|.*?</{p}{child}>)", inner or "", re.S)
            self.items[coll] = found
            self.new[coll] = []
            if not found:  # missing or empty collection: Excel needs the default entries
                defaults = re.findall(
                    rf"<{child}\b(?:[^>]*?/>|.*?</{child}>)", _STYLE_DEFAULTS[coll]
                )
                self.new[coll] = [self._prefixed(x) for x in defaults]
        self._marked: dict[tuple[int, str], int] = {}
        self._fill: dict[str, int] = {}
        self._bold: dict[float | None, int] = {}
        # number formats: the user's custom ones (id -> code), and ours
        p = re.escape(self.p)
        found = re.findall(rf"<{p}numFmt\b[^>]*?/>", self._inner("numFmts") or "")
        self.items["numFmts"] = found
        self.new["numFmts"] = []
        self.fmt_codes: dict[int, str] = {}
        for tag in found:
            fid, code = _get_attr(tag, "numFmtId"), _get_attr(tag, "formatCode")
            if fid is not None and fid.strip().isdigit() and code is not None:
                self.fmt_codes[int(fid)] = code
        self._with_fmt: dict[tuple[int, int], int] = {}

    def _prefixed(self, xml: str) -> str:
        if not self.p:
            return xml
        return re.sub(r"<(/?)([A-Za-z])", rf"<\1{self.p}\2", xml)

    def _inner(self, coll: str) -> str | None:
        p = re.escape(self.p)
        m = re.search(rf"<{p}{coll}\b[^>]*?(/?)>", self.xml)
        if not m:
            return None
        if m.group(1):
            return ""
        end = self.xml.find(f"</{self.p}{coll}>", m.end())
        return self.xml[m.end() : end] if end >= 0 else None

    def _add(self, coll: str, xml: str) -> int:
        self.new[coll].append(self._prefixed(xml))
        return len(self.items[coll]) + len(self.new[coll]) - 1

    def _xf(self, index: int) -> str:
        xfs = self.items["cellXfs"] + self.new["cellXfs"]
        return xfs[index] if 0 <= index < len(xfs) else xfs[0]

    def _font0(self) -> str:
        fonts = self.items["fonts"] + self.new["fonts"]
        return fonts[0]

    def fill(self, rgb: str) -> int:
        if rgb not in self._fill:
            self._fill[rgb] = self._add(
                "fills",
                f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
                '<bgColor indexed="64"/></patternFill></fill>',
            )
        return self._fill[rgb]

    def bold_font(self, size: float | None = None) -> int:
        """A copy of the default font (keeps the user's typeface), bold, optionally resized."""
        if size in self._bold:
            return self._bold[size]
        p = self.p
        font = self._font0()
        if font.endswith("/>"):
            font = font[:-2] + f"></{p}font>"
        if not re.search(rf"<{re.escape(p)}b\b", font):
            start = font.index(">") + 1
            font = font[:start] + f"<{p}b/>" + font[start:]
        if size is not None:
            font = re.sub(rf'(<{re.escape(p)}sz\s+val=)"[^"]*"', rf'\1"{size:g}"', font)
        self.new["fonts"].append(font)
        self._bold[size] = len(self.items["fonts"]) + len(self.new["fonts"]) - 1
        return self._bold[size]

    def thin_border(self) -> int:
        side = '<{0} style="thin"><color indexed="64"/></{0}>'
        sides = "".join(side.format(s) for s in ("left", "right", "top", "bottom"))
        return self._add("borders", f"<border>{sides}<diagonal/></border>")

    def add_xf(
        self,
        *,
        num_fmt: int = 0,
        font: int = 0,
        fill: int = 0,
        border: int = 0,
        wrap: bool = False,
        vertical: str | None = None,
    ) -> int:
        attrs = f'numFmtId="{num_fmt}" fontId="{font}" fillId="{fill}" borderId="{border}"'
        if self.has_style_xfs:
            attrs += ' xfId="0"'
        for flag, on in (
            ("applyNumberFormat", num_fmt),
            ("applyFont", font),
            ("applyFill", fill),
            ("applyBorder", border),
            ("applyAlignment", wrap or vertical),
        ):
            if on:
                attrs += f' {flag}="1"'
        align = ""
        if wrap or vertical:
            align = "<alignment"
            if vertical:
                align += f' vertical="{vertical}"'
            if wrap:
                align += ' wrapText="1"'
            align += "/>"
        return self._add("cellXfs", f"<xf {attrs}>{align}</xf>" if align else f"<xf {attrs}/>")

    def num_fmt_id(self, index: int) -> int:
        xf = self._xf(index)
        fid = _get_attr(xf[: xf.index(">") + 1], "numFmtId")
        return int(fid) if fid and fid.strip().isdigit() else 0

    def is_date(self, index: int) -> bool:
        fid = self.num_fmt_id(index)
        code = self.fmt_codes.get(fid)
        return fid in _DATE_FMT_IDS if code is None else _is_date_code(code)

    def is_text(self, index: int) -> bool:
        fid = self.num_fmt_id(index)
        return fid == TEXT_FMT_ID or self.fmt_codes.get(fid) == "@"

    def custom_fmt(self, code: str) -> int:
        """Id of the number format ``code``: the workbook's own if it has one, else a new one."""
        for fid, have in self.fmt_codes.items():
            if have == code:
                return fid
        fid = max([163, *self.fmt_codes]) + 1
        self.fmt_codes[fid] = code
        self.new["numFmts"].append(
            self._prefixed(f'<numFmt numFmtId="{fid}" formatCode="{_esc_attr(code)}"/>')
        )
        return fid

    def with_num_fmt(self, base: int, fmt_id: int) -> int:
        """Index of a clone of xf ``base`` (font, fill, border, alignment kept) showing
        ``fmt_id``; ``base`` itself when it already does."""
        if self.num_fmt_id(base) == fmt_id:
            return base
        key = (base, fmt_id)
        if key not in self._with_fmt:
            xf = self._xf(base)
            end = xf.index(">") + 1
            tag = _set_attr(_set_attr(xf[:end], "numFmtId", str(fmt_id)), "applyNumberFormat", "1")
            self.new["cellXfs"].append(tag + xf[end:])
            self._with_fmt[key] = len(self.items["cellXfs"]) + len(self.new["cellXfs"]) - 1
        return self._with_fmt[key]

    def marked(self, base: int, severity: str) -> int:
        """Index of a clone of xf ``base`` (font, border, number format kept) with the fill."""
        key = (base, severity)
        if key not in self._marked:
            fill = self.fill(FILL_RGB[severity])
            xf = self._xf(base)
            end = xf.index(">") + 1
            start_tag = _set_attr(_set_attr(xf[:end], "fillId", str(fill)), "applyFill", "1")
            self.new["cellXfs"].append(start_tag + xf[end:])
            self._marked[key] = len(self.items["cellXfs"]) + len(self.new["cellXfs"]) - 1
        return self._marked[key]

    def render(self) -> str:
        xml = self.xml
        p = self.p
        for coll in ("numFmts", "fonts", "fills", "borders", "cellXfs"):
            if not self.new[coll]:
                continue
            total = len(self.items[coll]) + len(self.new[coll])
            children = "".join(self.new[coll])
            m = re.search(rf"<{re.escape(p)}{coll}\b[^>]*?/?>", xml)
            if m is None:  # collection missing: create it at its place in CT_Stylesheet
                xml = self._insert_collection(xml, coll, f"<{p}{coll}>{children}</{p}{coll}>")
                m = re.search(rf"<{re.escape(p)}{coll}\b[^>]*?/?>", xml)
                assert m is not None
            else:
                xml = _append_children_at(xml, m, p, coll, children)
                m = re.search(rf"<{re.escape(p)}{coll}\b[^>]*?/?>", xml)
                assert m is not None
            xml = xml[: m.start()] + _set_attr(m.group(0), "count", str(total)) + xml[m.end() :]
        return xml

    def _insert_collection(self, xml: str, coll: str, element: str) -> str:
        p = re.escape(self.p)
        order = _STYLE_ORDER
        for later in order[order.index(coll) + 1 :]:
            m = re.search(rf"<{p}{later}\b", xml)
            if m:
                return xml[: m.start()] + element + xml[m.start() :]
        return _append_children(xml, self.p, "styleSheet", element)


def _append_children_at(xml: str, start: re.Match[str], p: str, name: str, children: str) -> str:
    """Append children to the element whose start tag is ``start`` (may be self-closing)."""
    tag = start.group(0)
    if tag.endswith("/>"):
        return xml[: start.start()] + tag[:-2] + f">{children}</{p}{name}>" + xml[start.end() :]
    close = xml.index(f"</{p}{name}>", start.end())
    return xml[:close] + children + xml[close:]


# --------------------------------------------------------------------------- notes (comments + VML)


def _note_size(note: str) -> tuple[int, float]:
    """(rows tall, points tall) of a note box wide enough for ~3 columns."""
    lines = sum(max(1, math.ceil(len(line) / 32)) for line in note.splitlines() or [""])
    rows = max(4, lines + 1)
    return rows, rows * 15.0


def _vml_shape(shape_id: int, z: int, row: int, col: int, note: str) -> str:
    """One hidden legacy note shape; ``row``/``col`` are the 1-based row and 0-based col."""
    rows, height = _note_size(note)
    top = max(row - 2, 0)
    anchor = f"{col + 1}, 15, {top}, 10, {col + 4}, 15, {top + rows}, 4"
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;'
        f"margin-left:{(col + 1) * 48 + 11:.2f}pt;margin-top:{max(row - 1, 0) * 15 + 1.5:.2f}pt;"
        f'width:144pt;height:{height:.2f}pt;z-index:{z};visibility:hidden" fillcolor="#ffffe1" '
        'o:insetmode="auto"><v:fill color2="#ffffe1"/>'
        '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
        '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill>"
        f"<x:Row>{row - 1}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
    )


_VML_SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)
_VML_NS = {
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "x": "urn:schemas-microsoft-com:office:excel",
}


def _vml_blocks(vml: str) -> list[int]:
    m = re.search(r"""<(?:[\w.-]+:)?idmap\b[^>]*\bdata\s*=\s*["']([^"']*)["']""", vml)
    if not m:
        return []
    return [int(x) for x in re.findall(r"\d+", m.group(1))]


class _Streamed:
    """A new part's text produced in chunks at write time (see ``_write_text``)."""

    def __init__(self, chunks: Callable[[], Iterator[str]]) -> None:
        self.chunks = chunks

    def __str__(self) -> str:  # small parts and tests may still want the whole text
        return "".join(self.chunks())


def _write_text(zout: zipfile.ZipFile, info: zipfile.ZipInfo, text: str | _Streamed) -> None:
    if isinstance(text, _Streamed):
        with zout.open(info, "w", force_zip64=True) as dst:
            buf: list[str] = []
            size = 0
            for chunk in text.chunks():
                buf.append(chunk)
                size += len(chunk)
                if size > 1 << 20:
                    dst.write("".join(buf).encode("utf-8"))
                    buf, size = [], 0
            dst.write("".join(buf).encode("utf-8"))
    else:
        zout.writestr(info, text.encode("utf-8"))


def _build_vml(
    existing: str | None,
    other_blocks: set[int],
    notes: list[tuple[int, int, str]],
) -> str:
    """A VML drawing holding hidden note shapes: a new one, or ``existing`` plus new shapes."""
    own_blocks = _vml_blocks(existing) if existing else []
    used_ids = {int(x) for x in re.findall(r"_x0000_s(\d+)", existing or "")}
    blocks = list(own_blocks)
    taken = set(other_blocks) | set(own_blocks)

    def ids() -> Iterable[int]:
        for block in own_blocks:
            start = max([i for i in used_ids if i // 1024 == block], default=block * 1024) + 1
            yield from range(start, block * 1024 + 1024)
        block = 1
        while True:
            while block in taken:
                block += 1
            taken.add(block)
            blocks.append(block)
            yield from range(block * 1024 + 1, block * 1024 + 1024)

    id_iter = iter(ids())
    z0 = len(re.findall(r"<(?:[\w.-]+:)?shape\b", existing or ""))
    if existing is None:  # a new part: streamed, a million notes never sit in one string
        shape_ids = [next(id_iter) for _ in notes]  # draws every block the idmap must list
        data = ",".join(str(b) for b in blocks)

        def chunks() -> Iterator[str]:
            yield ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
                   'xmlns:o="urn:schemas-microsoft-com:office:office" '
                   'xmlns:x="urn:schemas-microsoft-com:office:excel">')
            yield (f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{data}"/>'
                   f"</o:shapelayout>{_VML_SHAPETYPE}")
            for i, (row, col, note) in enumerate(notes):
                yield _vml_shape(shape_ids[i], z0 + i + 1, row, col, note)
            yield "</xml>"

        return _Streamed(chunks)
    shapes = "".join(
        _vml_shape(next(id_iter), z0 + i + 1, row, col, note)
        for i, (row, col, note) in enumerate(notes)
    )
    data = ",".join(str(b) for b in blocks)
    vml = existing
    root = re.search(r"<xml\b[^>]*>", vml)
    if root is None:
        raise WorkbookPackageError("Tệp Excel bị hỏng: phần VML của ghi chú không hợp lệ.")
    root_tag = root.group(0)
    for prefix, uri in _VML_NS.items():  # our shapes use the conventional v/o/x prefixes
        if f"xmlns:{prefix}=" not in root_tag:
            root_tag = root_tag[:-1] + f' xmlns:{prefix}="{uri}">'
    vml = vml[: root.start()] + root_tag + vml[root.end() :]
    if blocks != own_blocks:
        idmap = re.search(r"""(<(?:[\w.-]+:)?idmap\b[^>]*\bdata\s*=\s*)(["'])[^"']*\2""", vml)
        if idmap:
            vml = vml[: idmap.start()] + f'{idmap.group(1)}"{data}"' + vml[idmap.end() :]
        else:
            layout = f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{data}"/>'
            layout += "</o:shapelayout>"
            vml = (
                vml[: vml.index(">", root.start()) + 1]
                + layout
                + vml[vml.index(">", root.start()) + 1 :]
            )
    if 'id="_x0000_t202"' not in vml:
        shapes = _VML_SHAPETYPE + shapes
    end = vml.rfind("</xml>")
    if end < 0:
        raise WorkbookPackageError("Tệp Excel bị hỏng: phần VML của ghi chú không hợp lệ.")
    return vml[:end] + shapes + vml[end:]


def _comment_run(p: str, text: str) -> str:
    return (
        f'<{p}r><{p}rPr><{p}sz val="9"/><{p}color indexed="81"/><{p}rFont val="Tahoma"/>'
        f'<{p}family val="2"/></{p}rPr><{p}t xml:space="preserve">{_esc_text(text)}</{p}t></{p}r>'
    )


def _build_comments(
    existing: str | None, notes: list[tuple[int, int, str]]
) -> tuple[str, set[tuple[int, int]]]:
    """The comments part with our notes merged in, and the cells that already had a note."""
    if existing is None:  # a new part: streamed like the VML

        def chunks() -> Iterator[str]:
            yield (XML_DECL + f'<comments xmlns="{NS_MAIN}"><authors><author>{NOTE_AUTHOR}'
                   "</author></authors><commentList>")
            for r, c, n in notes:
                yield (f'<comment ref="{col_letter(c)}{r}" authorId="0"><text>'
                       f'{_comment_run("", n)}</text></comment>')
            yield "</commentList></comments>"

        return _Streamed(chunks), set()
    p, _, _ = _root(existing)
    ep = re.escape(p)
    xml = existing
    # authors
    authors_m = re.search(rf"<{ep}authors\b[^>]*?(/?)>", xml)
    authors: list[str] = []
    if authors_m and not authors_m.group(1):
        end = xml.index(f"</{p}authors>", authors_m.end())
        inner = xml[authors_m.end() : end]
        authors = [
            _unesc(a or "")
            for a in re.findall(rf"<{ep}author\b[^>]*?(?:/>|>(.*?)</{ep}author>)", inner, re.S)
        ]
    if NOTE_AUTHOR in authors:
        author_id = authors.index(NOTE_AUTHOR)
    else:
        author_id = len(authors)
        new_author = f"<{p}author>{NOTE_AUTHOR}</{p}author>"
        if authors_m:
            xml = _append_children_at(xml, authors_m, p, "authors", new_author)
        else:
            root = _root(xml)[2]
            xml = xml[: root.end()] + f"<{p}authors>{new_author}</{p}authors>" + xml[root.end() :]
    # comment list
    list_m = re.search(rf"<{ep}commentList\b[^>]*?(/?)>", xml)
    entries: list[tuple[tuple[int, int], str]] = []
    if list_m is None:
        xml = _append_children(xml, p, "comments", f"<{p}commentList></{p}commentList>")
        list_m = re.search(rf"<{ep}commentList\b[^>]*?(/?)>", xml)
        assert list_m is not None
    if list_m.group(1):
        tag = list_m.group(0)[:-2] + ">"
        xml = xml[: list_m.start()] + tag + f"</{p}commentList>" + xml[list_m.end() :]
        list_start, list_end = list_m.start() + len(tag), list_m.start() + len(tag)
    else:
        list_start = list_m.end()
        list_end = xml.index(f"</{p}commentList>", list_start)
    inner = xml[list_start:list_end]
    for m in re.finditer(rf"<{ep}comment\b([^>]*)>.*?</{ep}comment>", inner, re.S):
        ref = _get_attr(m.group(1), "ref") or "A1"
        entries.append((_parse_ref(ref.split(":")[0]), m.group(0)))
    index = {key: i for i, (key, _) in enumerate(entries)}
    had_note: set[tuple[int, int]] = set()
    own_id = str(author_id) if NOTE_AUTHOR in authors else None
    for row, col, note in notes:
        key = (row, col)
        if key in index:  # merge into the note already on the cell
            had_note.add(key)
            i = index[key]
            entries[i] = (key, _renew_note(entries[i][1], p, note, own_id))
        else:
            entries.append(
                (
                    key,
                    f'<{p}comment ref="{col_letter(col)}{row}" authorId="{author_id}">'
                    f"<{p}text>{_comment_run(p, note)}</{p}text></{p}comment>",
                )
            )
    entries.sort(key=lambda e: e[0])
    xml = xml[:list_start] + "".join(e for _, e in entries) + xml[list_end:]
    return xml, had_note


_FINDING_LINE_RE = re.compile(r"\[[A-Z]+[0-9]+\] ")  # "[ID004] ...": a rule's finding


def _renew_note(comment: str, p: str, note: str, own_author: str | None) -> str:
    """A cell's note with ``note`` added, run after run without repeating itself.

    A note an earlier run wrote (our author) loses its findings ("[CODE] ...": this run
    found them afresh) and keeps its other lines (a merge's "Cũ: … → Mới: …"); a user's
    note gets only the lines it does not have yet."""
    ep = re.escape(p)
    old_lines = _unesc("".join(re.findall(rf"<{ep}t\b[^>]*>(.*?)</{ep}t>", comment, re.S)))
    old_lines = old_lines.split("\n")
    head = re.match(rf"<{ep}comment\b([^>]*)>", comment)
    if own_author is not None and head and _get_attr(head.group(1), "authorId") == own_author:
        kept = [x for x in old_lines if x.strip() and not _FINDING_LINE_RE.match(x)]
        lines = kept + [x for x in note.split("\n") if x not in kept]
        return (f"{head.group(0)}<{p}text>{_comment_run(p, chr(10).join(lines))}</{p}text>"
                f"</{p}comment>")
    missing = [x for x in note.split("\n") if x not in old_lines]
    return _append_note_text(comment, p, "\n".join(missing)) if missing else comment


def _append_note_text(comment: str, p: str, note: str) -> str:
    ep = re.escape(p)
    close = comment.rfind(f"</{p}text>")
    if close < 0:
        return comment
    text_inner = comment[:close]
    if re.search(rf"<{ep}r\b", text_inner):  # rich text: add a run
        return comment[:close] + _comment_run(p, "\n" + note) + comment[close:]
    t_close = text_inner.rfind(f"</{p}t>")
    if t_close >= 0:  # plain <t>: extend it, keep line breaks
        t_open = re.search(rf"<{ep}t\b[^>]*>", text_inner)
        out = comment[:t_close] + _esc_text("\n" + note) + comment[t_close:]
        if t_open and "xml:space" not in t_open.group(0):
            preserved = _set_attr(t_open.group(0), "xml:space", "preserve")
            out = out.replace(t_open.group(0), preserved, 1)
        return out
    run = f'<{p}t xml:space="preserve">{_esc_text(note)}</{p}t>'
    return comment[:close] + run + comment[close:]


# --------------------------------------------------------------------------- worksheet streaming


class _Collision(Exception):  # noqa: N818 - internal control flow
    """A status column (taken from <dimension>) already holds user data: rescan and retry."""


def _read_head(stream: IO[bytes]) -> tuple[bytes, bool, bytes]:
    """(XML up to and including the <sheetData> start tag, self-closing?, bytes read after)."""
    buf = b""
    pattern = re.compile(rb"<(?:[\w.-]+:)?sheetData\b[^>]*?(/?)>")
    searched = 0
    while True:
        m = pattern.search(buf, max(0, searched - 64))
        if m:
            return buf[: m.end()], bool(m.group(1)), buf[m.end() :]
        searched = len(buf)
        chunk = stream.read(CHUNK)
        if not chunk:
            raise WorkbookPackageError("Tệp Excel bị hỏng: trang tính không có <sheetData>.")
        buf += chunk


@dataclass(slots=True)
class _SheetInfo:
    prefix: str
    dim_ref: str | None
    dim_reliable: bool
    max_col: int  # 0-based, -1 if unknown/empty
    max_row: int
    root_tag: str
    legacy_drawing_rid: str | None  # r:id of an existing <legacyDrawing> (notes/controls VML)


def _peek_sheet(zin: zipfile.ZipFile, part: str, need_tail: bool = True) -> _SheetInfo:
    """Learn the sheet's prefix, <dimension> and existing <legacyDrawing> before writing.

    The rows are only inflated and skipped (cheap); the head and the tail after
    ``</sheetData>`` are kept. The tail is needed because a sheet's header/footer images use
    the same ``vmlDrawing`` relationship type as notes: only ``<legacyDrawing r:id>`` tells
    which VML part holds the notes. Without any VML relationship (``need_tail`` False) the
    tail cannot name one, and the rows are not even inflated.
    """
    with zin.open(part) as stream:
        head_b, self_closing, rest = _read_head(stream)
        tail_b = _read_tail(stream, rest, self_closing) if need_tail else b""
    head = head_b.decode("utf-8")
    _check_encoding(head)
    prefix, local, root = _root(head)
    if local != "worksheet":
        raise WorkbookPackageError("Trang tính được chọn không phải là bảng tính thường.")
    m = re.search(rf"<{re.escape(prefix)}dimension\b([^>]*)>", head)
    ref = _get_attr(m.group(1), "ref") if m else None
    max_col, max_row, reliable = -1, 0, False
    if ref:
        try:
            corners = [_parse_ref(x) for x in ref.split(":")]
            max_row = max(r for r, _ in corners)
            max_col = max(c for _, c in corners)
            empty = self_closing or rest.lstrip().startswith(f"</{prefix}sheetData".encode())
            reliable = ":" in ref or (max_col == 0 and max_row == 1 and empty)
        except ValueError:
            reliable = False
    tail = tail_b.decode("utf-8")
    legacy = None
    lm = re.search(rf"<{re.escape(prefix)}legacyDrawing\b([^>]*)>", tail)
    if lm:  # the r: prefix may be declared on the root or on the element (openpyxl)
        idm = re.search(r"""[\w.-]+:id\s*=\s*["']([^"']*)["']""", lm.group(1))
        legacy = _unesc(idm.group(1)) if idm else None
    return _SheetInfo(prefix, ref, reliable, max_col, max_row, root.group(0), legacy)


def _read_tail(stream: IO[bytes], rest: bytes, self_closing: bool) -> bytes:
    """Everything after ``</sheetData>``, reading (and dropping) the rows before it."""
    if self_closing:
        return rest + stream.read()
    pattern = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")
    buf = rest
    while True:
        m = pattern.search(buf)
        if m:
            return buf[m.end() :] + stream.read()
        buf = buf[-64:]
        chunk = stream.read(CHUNK)
        if not chunk:
            raise WorkbookPackageError("Tệp Excel bị hỏng: trang tính bị cắt ngang.")
        buf += chunk


def _check_encoding(head: str) -> None:
    m = re.match(r"\ufeff?<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)", head)
    if m and m.group(1).lower().replace("-", "") != "utf8":
        raise WorkbookPackageError("Trang tính không dùng mã UTF-8; hãy lưu lại tệp bằng Excel.")


def _scan_extent(zin: zipfile.ZipFile, part: str, prefix: str) -> tuple[int, int]:
    """(max 0-based column, max row) actually used, by a quick streaming pass."""
    p = re.escape(prefix.encode())
    row_re = re.compile(rb"<" + p + rb"row\b([^>]*?)(?:/>|>(.*?)</" + p + rb"row>)", re.S)
    cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>.*?</" + p + rb"c>)", re.S)
    ref_re = re.compile(rb"<" + p + rb"c\b[^>]*?\sr=\"([A-Za-z]+)")
    start_re = re.compile(rb"<" + p + rb"c[\s/>]")
    row_close = b"</" + prefix.encode() + b"row>"
    end_tag = b"</" + prefix.encode() + b"sheetData>"
    max_col, max_row, prev_row = -1, 0, 0

    def scan(section: bytes) -> None:
        nonlocal max_col, max_row, prev_row
        letters = ref_re.findall(section)
        if len(letters) == len(start_re.findall(section)):
            if letters:
                max_col = max(max_col, max(col_index(x.decode()) for x in set(letters)))
            last = section.rfind(b"<" + prefix.encode() + b"row")
            rows = list(row_re.finditer(section, last)) if last >= 0 else []
            if rows and (r := _attr_b(rows[-1].group(1), b"r")):
                prev_row = int(r)
                max_row = max(max_row, prev_row)
                return
        for m in row_re.finditer(section):
            r = _attr_b(m.group(1), b"r")
            prev_row = int(r) if r else prev_row + 1
            max_row = max(max_row, prev_row)
            col = -1
            for c in cell_re.finditer(m.group(2) or b""):
                ref = _attr_b(c.group(1), b"r")
                rm = _REF_RE.match(ref) if ref else None
                col = col_index(rm.group(1).decode()) if rm else col + 1
                max_col = max(max_col, col)

    with zin.open(part) as stream:
        _, self_closing, buf = _read_head(stream)
        if self_closing:
            return -1, 0
        while True:
            idx = buf.find(end_tag)
            if idx >= 0:
                scan(buf[:idx])
                return max_col, max_row
            cut = buf.rfind(row_close)
            if cut >= 0:
                cut += len(row_close)
                scan(buf[:cut])
                buf = buf[cut:]
            chunk = stream.read(CHUNK)
            if not chunk:
                raise WorkbookPackageError("Tệp Excel bị hỏng: trang tính bị cắt ngang.")
            buf += chunk


_ATTR_B_RE: dict[bytes, re.Pattern[bytes]] = {}


def _attr_b(attrs: bytes, name: bytes) -> bytes | None:
    """Value of attribute ``name`` in the attribute text of a start tag (bytes)."""
    pattern = _ATTR_B_RE.get(name)
    if pattern is None:
        pattern = re.compile(rb"(?:^|\s)" + re.escape(name) + rb"\s*=\s*[\"']([^\"']*)[\"']")
        _ATTR_B_RE[name] = pattern
    m = pattern.search(attrs)
    return m.group(1) if m else None


_S_ATTR_RE = re.compile(rb"""(\ss\s*=\s*)(?:"[^"]*"|'[^']*')""")
_R_ATTR_RE = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_SPANS_RE = re.compile(rb"""(\sspans\s*=\s*)(?:"[^"]*"|'[^']*')""")


@dataclass(frozen=True, slots=True)
class _NewValue:
    """The content a cell gets from ``values=`` (its style is kept)."""

    value: CellValue


# col -> (new content: status/header text or a value, status style or None, severity or None)
_Edit = tuple[str | _NewValue | None, int | None, str | None]


@dataclass(slots=True)
class _Orphan:
    """A shared formula whose master cell got a new value. Its first remaining member becomes
    the master (formula translated to its place); if the formula cannot be translated, the
    members keep only their cached values."""

    text: str  # the master's formula, unescaped, without "="
    row: int
    col: int
    box: tuple[int, int, int, int]  # (r1, c1, r2, c2) of the group's ref
    strip: bool = False


def _translate(formula: str, row0: int, col0: int, row: int, col: int) -> str | None:
    """``formula`` (written in row0/col0) as it reads in row/col; None if it cannot be."""
    try:
        from openpyxl.formula.translate import Translator

        out = Translator("=" + formula, origin=f"{col_letter(col0)}{row0}").translate_formula(
            f"{col_letter(col)}{row}"
        )
    except Exception:  # any tokenizer/translator failure: fall back to cached values
        return None
    return out[1:] if out.startswith("=") else out


class _SheetRewriter:
    """Streams the worksheet XML, editing only the rows that get a status, mark or value."""

    def __init__(
        self,
        *,
        prefix: str,
        plan: _Plan,
        styles: _Styles,
        first_col: int,
        check_collisions: bool,
        header_xf: int,
        status_xf: int,
        legacy_rid: str | None,
        rel_prefix: str,
        declare_rel_ns: bool,
        extent: tuple[int, int],
        date1904: bool = False,
    ) -> None:
        self.prefix = prefix
        self.pb = prefix.encode()
        p = re.escape(self.pb)
        self.row_re = re.compile(rb"<" + p + rb"row\b([^>]*?)(?:/>|>(.*?)</" + p + rb"row>)", re.S)
        self.cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        self.value_re = re.compile(rb"<" + p + rb"(?:v|f|is)\b")
        self.f_re = re.compile(rb"<" + p + rb"f\b([^>]*?)(?:/>|>(.*?)</" + p + rb"f>)", re.S)
        self.f_start = re.compile(rb"<" + p + rb"f[\s/>]")
        self.row_start = b"<" + self.pb + b"row"
        self.row_close = b"</" + self.pb + b"row>"
        self.row_tag_r = b"<" + self.pb + b'row r="'
        self.plan = plan
        self.styles = styles
        self.first_col = first_col
        self.check_collisions = check_collisions
        self.header_xf = header_xf
        self.status_xf = status_xf
        self.legacy_rid = legacy_rid
        self.rel_prefix = rel_prefix
        self.declare_rel_ns = declare_rel_ns
        self.extent = extent
        self.date1904 = date1904
        header = {plan.header_row} if plan.headers else set()
        self.targets = sorted(set(plan.status) | set(plan.marks) | set(plan.values) | header)
        self.ti = 0
        self.prev_row = 0
        self.col_styles: list[tuple[int, int, int]] = []  # (min0, max0, style)
        self.orphans: dict[bytes, _Orphan] = {}  # shared formulas whose master was replaced
        # for the direct path (_direct_row), which most rows of a big list take
        self.cell_open = b"<" + self.pb + b"c "
        self.status_cache: dict[tuple[str, ...], list[tuple[bytes, bytes]]] = {}
        self.spans_cache: dict[tuple[bytes, int, int], bytes] = {}
        self.letter_cols: dict[bytes, int] = {}

    # ---- edits of one row
    def _edits(self, row: int) -> dict[int, _Edit]:
        edits: dict[int, _Edit] = {}
        for col, value in self.plan.values.get(row, {}).items():
            edits[col] = (_NewValue(value), None, None)
        if row == self.plan.header_row:
            for i, head in enumerate(self.plan.headers):
                edits[self.first_col + i] = (head, self.header_xf, None)
        elif row in self.plan.status:
            for i, value in enumerate(self.plan.status[row]):
                edits[self.first_col + i] = (value, self.status_xf, None)
        for col, (sev, _note) in self.plan.marks.get(row, {}).items():
            text, style, _ = edits.get(col, (None, None, None))
            edits[col] = (text, style, sev)
        return edits

    def _default_style(self, row_attrs: bytes | None, col: int) -> int:
        if row_attrs is not None and _attr_b(row_attrs, b"customFormat") in (b"1", b"true"):
            s = _attr_b(row_attrs, b"s")
            if s and s.isdigit():
                return int(s)
        for lo, hi, style in self.col_styles:
            if lo <= col <= hi:
                return style
        return 0

    def _new_cell(self, row: int, col: int, edit: _Edit, base: int) -> bytes:
        text, style, sev = edit
        if isinstance(text, _NewValue):
            return self._value_cell(row, col, text.value, base, sev)
        p = self.prefix
        ref = f"{col_letter(col)}{row}"
        if style is None:
            style = base
        if sev is not None:
            style = self.styles.marked(style, sev)
        if text:
            text = text[:MAX_CELL_TEXT]
            return (
                f'<{p}c r="{ref}" s="{style}" t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                f"{_esc_text(text)}</{p}t></{p}is></{p}c>"
            ).encode()
        return f'<{p}c r="{ref}" s="{style}"/>'.encode()

    def _value_cell(
        self, row: int, col: int, value: CellValue, base: int, sev: str | None
    ) -> bytes:
        """A cell holding ``value`` in (a number-format clone of) style ``base``."""
        p = self.prefix
        styles = self.styles
        style, kind, body = base, "", ""
        if isinstance(value, _dt.date):
            serial = _excel_serial(value, self.date1904)
            if serial is None:  # before the workbook's epoch: keep it readable, as text
                value = f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
            else:
                if not styles.is_date(base):
                    timed = isinstance(value, _dt.datetime) and value.time() != _dt.time()
                    fmt = styles.custom_fmt(DATETIME_FORMAT if timed else DATE_FORMAT)
                    style = styles.with_num_fmt(base, fmt)
                body = f"<{p}v>{_number_text(serial)}</{p}v>"
        if body:
            pass
        elif isinstance(value, bool):
            kind, body = ' t="b"', f"<{p}v>{int(value)}</{p}v>"
        elif isinstance(value, int | float):
            body = f"<{p}v>{_number_text(value)}</{p}v>"
        elif isinstance(value, str) and value:
            if _DIGITS_RE.fullmatch(value) and not styles.is_text(base):
                style = styles.with_num_fmt(base, TEXT_FMT_ID)  # an ID or phone stays text
            kind = ' t="inlineStr"'
            body = f'<{p}is><{p}t xml:space="preserve">{_esc_text(value)}</{p}t></{p}is>'
        if sev is not None:
            style = styles.marked(style, sev)
        ref = f"{col_letter(col)}{row}"
        if body:
            return f'<{p}c r="{ref}" s="{style}"{kind}>{body}</{p}c>'.encode()
        return f'<{p}c r="{ref}" s="{style}"/>'.encode()

    def _edit_cell(self, m: re.Match[bytes], row: int, col: int, edit: _Edit) -> bytes:
        attrs, content = m.group(1), m.group(2)
        s = _attr_b(attrs, b"s")
        base = int(s) if s and s.isdigit() else 0
        text, style, sev = edit
        if isinstance(text, _NewValue):  # new content, same style; a formula is dropped
            if content and self.f_start.search(content):
                self._orphan_master(content, row, col)
            return self._new_cell(row, col, edit, base)
        if style is not None:  # a status/header cell: replace the cell
            if self.check_collisions and content and self.value_re.search(content):
                raise _Collision
            return self._new_cell(row, col, edit, base)
        new_style = self.styles.marked(base, sev) if sev else base
        start = b"<" + self.pb + b"c" + attrs
        if _S_ATTR_RE.search(start):
            start = _S_ATTR_RE.sub(lambda x: x.group(1) + b'"%d"' % new_style, start, count=1)
        else:
            start += b' s="%d"' % new_style
        if not _R_ATTR_RE.search(attrs):
            start = (
                start[: 2 + len(self.pb)]
                + f' r="{col_letter(col)}{row}"'.encode()
                + start[2 + len(self.pb) :]
            )
        whole = m.group(0)
        return start + whole[len(b"<" + self.pb + b"c" + attrs) :]

    # ---- shared formulas whose master cell gets a value
    def _orphan_master(self, content: bytes, row: int, col: int) -> None:
        fm = self.f_re.search(content)
        if fm is None:
            return
        attrs = fm.group(1)
        ref, si = _attr_b(attrs, b"ref"), _attr_b(attrs, b"si")
        if _attr_b(attrs, b"t") != b"shared" or not ref or si is None:
            return  # a plain or array formula: nothing else depends on its <f>
        try:
            corners = [_parse_ref(x) for x in ref.decode().split(":")]
        except ValueError:
            return
        rows, cols = [r for r, _ in corners], [c for _, c in corners]
        text = _unesc((fm.group(2) or b"").decode("utf-8"))
        self.orphans[si] = _Orphan(text, row, col, (min(rows), min(cols), max(rows), max(cols)))

    def _prune(self, row: int) -> None:
        for si in [si for si, o in self.orphans.items() if o.box[2] < row]:
            del self.orphans[si]

    def _rehome(self, cell: bytes, row: int, col: int) -> bytes:
        """``cell`` made the new master of its orphaned shared formula (or stripped of it)."""
        fm = self.f_re.search(cell)
        if fm is None:
            return cell
        attrs = fm.group(1)
        si = _attr_b(attrs, b"si")
        if _attr_b(attrs, b"t") != b"shared" or _attr_b(attrs, b"ref") or si is None:
            return cell
        o = self.orphans.get(si)
        r1, c1, r2, c2 = o.box if o else (0, 0, -1, -1)
        if o is None or not (r1 <= row <= r2 and c1 <= col <= c2):
            return cell
        formula = None if o.strip else _translate(o.text, o.row, o.col, row, col)
        if formula is None:
            o.strip = True  # every member keeps its cached value only
            return cell[: fm.start()] + cell[fm.end() :]
        del self.orphans[si]
        p = self.pb
        new_ref = f"{col_letter(c1)}{row}:{col_letter(c2)}{r2}".encode()
        text = _esc_formula(formula)
        new_f = (
            b"<" + p + b'f t="shared" ref="' + new_ref + b'" si="' + si + b'">'
            + text.encode("utf-8") + b"</" + p + b"f>"
        )
        return cell[: fm.start()] + new_f + cell[fm.end() :]

    def _rehome_row(self, m: re.Match[bytes], row: int) -> bytes | None:
        """A row with no edit, rewritten only if a cell joins an orphaned shared formula."""
        self._prune(row)
        content = m.group(2)
        if not self.orphans or not content or not self.f_start.search(content):
            return None
        out: list[bytes] = []
        pos, col = 0, -1
        for c in self.cell_re.finditer(content):
            col = self._cell_col(c, col)
            if c.group(2) and self.f_start.search(c.group(2)):
                new = self._rehome(c.group(0), row, col)
                if new is not c.group(0):
                    out += [content[pos : c.start()], new]
                    pos = c.end()
        if not out:
            return None
        out.append(content[pos:])
        whole, base = m.group(0), m.start(0)
        return whole[: m.start(2) - base] + b"".join(out) + whole[m.end(2) - base :]

    @staticmethod
    def _cell_col(c: re.Match[bytes], prev: int) -> int:
        ref = _attr_b(c.group(1), b"r")
        rm = _REF_RE.match(ref) if ref else None
        return col_index(rm.group(1).decode()) if rm else prev + 1

    def _bare_cell_after(self, content: bytes, pos: int) -> bool:
        """A cell without attributes (<c>, <c/>) after ``pos``: its column is implicit."""
        p = self.pb
        return (content.find(b"<" + p + b"c>", pos) >= 0
                or content.find(b"<" + p + b"c/>", pos) >= 0)

    def _after_last_cell(self, content: bytes, first_edit: int) -> bool:
        """True when the row's last cell has an explicit reference left of ``first_edit``."""
        last = content.rfind(b"<" + self.pb + b"c ")
        if last < 0:
            return not content.strip()
        if self._bare_cell_after(content, last):
            return False
        c = self.cell_re.match(content, last)
        if c is None:
            return False
        ref = _attr_b(c.group(1), b"r")
        rm = _REF_RE.match(ref) if ref else None
        return bool(rm) and col_index(rm.group(1).decode()) < first_edit

    def _status_parts(self, values: list[str]) -> list[tuple[bytes, bytes]]:
        """Status cells as (before the row number, after it) pieces, shared by every row
        with the same texts (most rows read "OK")."""
        key = tuple(values)
        parts = self.status_cache.get(key)
        if parts is None:
            p, parts = self.prefix, []
            for i, text in enumerate(values):
                letter = col_letter(self.first_col + i)
                if text:
                    body = (f'" s="{self.status_xf}" t="inlineStr"><{p}is><{p}t xml:space='
                            f'"preserve">{_esc_text(text[:MAX_CELL_TEXT])}</{p}t></{p}is></{p}c>')
                else:
                    body = f'" s="{self.status_xf}"/>'
                parts.append((f'<{p}c r="{letter}'.encode(), body.encode()))
            if len(self.status_cache) < 4096:
                self.status_cache[key] = parts
        return parts

    def _last_col(self, content: bytes) -> int | None:
        """Column of the row's last cell from its r attribute; -1 for a row without cells;
        None when that cannot be read cheaply (the caller parses the row instead)."""
        last = content.rfind(self.cell_open)
        if last < 0:
            return None if content.strip() else -1
        if self._bare_cell_after(content, 0):
            return None  # (the full walk gives such cells their reference)
        end = content.find(b">", last)
        i = content.find(b' r="', last, end)
        if i < 0:
            return None
        j = content.find(b'"', i + 4, end)
        letters = content[i + 4 : j].rstrip(b"0123456789")
        col = self.letter_cols.get(letters)
        if col is None:
            if not letters.isalpha() or len(letters) > 3:
                return None
            col = self.letter_cols[letters] = col_index(letters.decode())
        return col

    def _widen_spans(self, attrs: bytes, lo: int, hi: int) -> bytes:
        """``attrs`` of a row with its spans hint (if any) widened to cover the 0-based
        columns lo..hi; the new value is cached (most rows share it)."""
        spans = _attr_b(attrs, b"spans")
        if not spans:
            return attrs
        new = self.spans_cache.get((spans, lo, hi))
        if new is None:
            nums = [int(x) for x in re.findall(rb"\d+", spans)] or [lo + 1]
            new = b'"%d:%d"' % (min(min(nums), lo + 1), max(max(nums), hi + 1))
            self.spans_cache[(spans, lo, hi)] = new
        return _SPANS_RE.sub(lambda x: x.group(1) + new, attrs, count=1)

    def _direct_row(self, attrs: bytes, content: bytes | None, row: int) -> bytes | None:
        """The row edited without walking its cells: status cells appended after the last
        cell, marked or new-value cells found by their reference. None when the row needs
        the full walk (a cell without r, a missing cell to insert, a formula, a cell at or
        right of the status columns)."""
        content = content or b""
        last = self._last_col(content)
        if last is None or last >= self.first_col or b' r="' not in b" " + attrs.lstrip():
            return None
        plan = self.plan
        status = plan.status.get(row)
        marks = plan.marks.get(row, {})
        values = plan.values.get(row, {})
        rb = b"%d" % row
        out: list[bytes] = []
        pos = 0
        cols = sorted(set(marks) | set(values))
        if cols and cols[-1] >= self.first_col:
            return None  # a mark on a status cell: the full walk merges them
        for col in cols:
            edit: _Edit = (_NewValue(values[col]) if col in values else None, None,
                           marks[col][0] if col in marks else None)
            if col > last:
                out.append(content[pos:])
                pos = len(content)
                out.append(self._new_cell(row, col, edit, self._default_style(attrs, col)))
                continue
            idx = content.find(self.cell_open + b'r="' + col_letter(col).encode() + rb + b'"',
                               pos)
            c = self.cell_re.match(content, idx) if idx >= 0 else None
            if c is None or (c.group(2) and self.f_start.search(c.group(2))):
                return None
            out.append(content[pos:idx])
            out.append(self._edit_cell(c, row, col, edit))
            pos = c.end()
        out.append(content[pos:])
        hi = cols[-1] if cols else -1
        if status:
            out += [x for pre, post in self._status_parts(status) for x in (pre, rb, post)]
            hi = self.first_col + len(status) - 1
        if hi >= 0:
            attrs = self._widen_spans(attrs, cols[0] if cols else self.first_col, hi)
        p = self.pb
        return b"<" + p + b"row" + attrs + b">" + b"".join(out) + b"</" + p + b"row>"

    def _direct_at(self, section: bytes, idx: int, row: int) -> tuple[bytes | None, int]:
        """_direct_row for the row element starting at ``idx``, found with plain searches
        (a regular expression over a long row costs more than the edit); (None, 0) when the
        row needs the full treatment."""
        if row == self.plan.header_row or self.orphans:
            return None, 0
        gt = section.find(b">", idx)
        if gt < 0:
            return None, 0
        start = idx + len(self.row_start)
        if section[gt - 1 : gt] == b"/":
            attrs, content, end = section[start : gt - 1], None, gt + 1
        else:
            close = section.find(self.row_close, gt)
            if close < 0 or section.find(self.row_start, gt, close) >= 0:
                return None, 0
            attrs, content, end = section[start:gt], section[gt + 1 : close], close + len(
                self.row_close)
        new = self._direct_row(attrs, content, row)
        return (new, end) if new is not None else (None, 0)

    def _edit_row(self, m: re.Match[bytes], row: int) -> bytes:
        if row != self.plan.header_row and not self.orphans:
            fast = self._direct_row(m.group(1), m.group(2), row)
            if fast is not None:
                return fast
        attrs, content = m.group(1), m.group(2)
        self._prune(row)
        edits = self._edits(row)
        pending = sorted(edits)
        pi = 0
        out: list[bytes] = []
        pos = 0
        col = -1
        content = content or b""
        if pending and not self.orphans and self._after_last_cell(content, pending[0]):
            # the common case (status cells right of the data): append, parse nothing
            out.append(content)
            pos = len(content)
            content = b""
        for c in self.cell_re.finditer(content):
            ref = _attr_b(c.group(1), b"r")
            col = self._cell_col(c, col)
            out.append(content[pos : c.start()])
            while pi < len(pending) and pending[pi] < col:
                out.append(
                    self._new_cell(
                        row,
                        pending[pi],
                        edits[pending[pi]],
                        self._default_style(attrs, pending[pi]),
                    )
                )
                pi += 1
            if pi < len(pending) and pending[pi] == col:
                cell = self._edit_cell(c, row, col, edits[col])
                pi += 1
            elif ref is None:  # give it an explicit reference: neighbours may be inserted
                tag_end = 2 + len(self.pb)
                whole = c.group(0)
                cell = whole[:tag_end] + f' r="{col_letter(col)}{row}"'.encode() + whole[tag_end:]
            else:
                cell = c.group(0)
            if self.orphans and c.group(2) and self.f_start.search(c.group(2)):
                cell = self._rehome(cell, row, col)
            out.append(cell)
            pos = c.end()
        while pi < len(pending):
            out.append(
                self._new_cell(
                    row, pending[pi], edits[pending[pi]], self._default_style(attrs, pending[pi])
                )
            )
            pi += 1
        out.append(content[pos:])
        new_attrs = attrs
        if not _R_ATTR_RE.search(new_attrs):
            new_attrs = b' r="%d"' % row + new_attrs
        if pending:
            new_attrs = self._widen_spans(new_attrs, pending[0], pending[-1])
        p = self.pb
        return b"<" + p + b"row" + new_attrs + b">" + b"".join(out) + b"</" + p + b"row>"

    def _created_row(self, row: int) -> bytes:
        edits = self._edits(row)
        cells = b"".join(
            self._new_cell(row, col, edits[col], self._default_style(None, col))
            for col in sorted(edits)
        )
        p = self.pb
        return b"<" + p + b'row r="%d">' % row + cells + b"</" + p + b"row>"

    # ---- streaming
    def _feed(self, section: bytes, out: list[bytes]) -> None:
        """Process a run of complete <row> elements."""
        targets = self.targets
        if self.ti >= len(targets) and not self.orphans:
            out.append(section)
            return
        r: bytes | None = None
        last = section.rfind(self.row_start)
        while last >= 0 and section[
            last + len(self.row_start) : last + len(self.row_start) + 1
        ] not in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
            last = section.rfind(self.row_start, 0, last)
        if last >= 0:
            end = section.find(b">", last)
            r = _attr_b(section[last + len(self.row_start) : end], b"r")
            if r and not self.orphans and int(r) < targets[self.ti]:
                out.append(section)  # fast path: nothing to do in this section
                self.prev_row = int(r)
                return
        elif not section.strip():
            out.append(section)
            return
        pos = 0
        n = len(targets)
        last_row = int(r) if r else None
        # Jump path: rows written with r="N" first (Excel, LibreOffice, openpyxl, XlsxWriter)
        # are found with a plain search; rows in between are copied without being parsed.
        # An orphaned shared formula stops it: the rows after its master must be looked at.
        while (
            not self.orphans
            and self.ti < n
            and (last_row is None or targets[self.ti] <= last_row)
        ):
            row = targets[self.ti]
            idx = section.find(self.row_tag_r + b'%d"' % row, pos)
            if idx < 0:
                break  # missing row (must be created) or unusual markup: walk the rows
            new, end = self._direct_at(section, idx, row)
            if new is None:
                m = self.row_re.match(section, idx)
                if m is None:
                    break
                new, end = self._edit_row(m, row), m.end()
            out.append(section[pos:idx])
            out.append(new)
            pos = end
            self.ti += 1
            self.prev_row = row
        if not self.orphans and (
            self.ti >= n or (last_row is not None and targets[self.ti] > last_row)
        ):
            out.append(section[pos:])
            if last_row is not None:
                self.prev_row = last_row
            return
        for m in self.row_re.finditer(section, pos):
            r = _attr_b(m.group(1), b"r")
            row = int(r) if r else self.prev_row + 1
            while self.ti < n and targets[self.ti] < row:
                out.append(section[pos : m.start()])
                pos = m.start()
                out.append(self._created_row(targets[self.ti]))
                self.ti += 1
            if self.ti < n and targets[self.ti] == row:
                out.append(section[pos : m.start()])
                out.append(self._edit_row(m, row))
                pos = m.end()
                self.ti += 1
            elif self.orphans and (new := self._rehome_row(m, row)) is not None:
                out.append(section[pos : m.start()])
                out.append(new)
                pos = m.end()
            self.prev_row = row
        out.append(section[pos:])

    def _finish_rows(self, out: list[bytes]) -> None:
        while self.ti < len(self.targets):
            out.append(self._created_row(self.targets[self.ti]))
            self.ti += 1

    def rewrite(self, stream: IO[bytes], write: Callable[[bytes], object]) -> None:
        head_b, self_closing, buf = _read_head(stream)
        head = self._edit_head(head_b.decode("utf-8"), self_closing)
        write(head.encode("utf-8"))
        end_tag = b"</" + self.pb + b"sheetData>"
        row_close = b"</" + self.pb + b"row>"
        out: list[bytes] = []
        if self_closing:
            self._finish_rows(out)
            out.append(end_tag)
            write(b"".join(out))
        else:
            while True:
                idx = buf.find(end_tag)
                if idx >= 0:
                    self._feed(buf[:idx], out)
                    self._finish_rows(out)
                    out.append(end_tag)
                    write(b"".join(out))
                    buf = buf[idx + len(end_tag) :]
                    break
                cut = buf.rfind(row_close)
                if cut >= 0:
                    cut += len(row_close)
                    self._feed(buf[:cut], out)
                    write(b"".join(out))
                    out = []
                    buf = buf[cut:]
                chunk = stream.read(CHUNK)
                if not chunk:
                    raise WorkbookPackageError("Tệp Excel bị hỏng: trang tính bị cắt ngang.")
                buf += chunk
        rest = [buf]
        while chunk := stream.read(CHUNK):
            rest.append(chunk)
        write(self._edit_tail(b"".join(rest).decode("utf-8")).encode("utf-8"))

    # ---- head and tail
    def _edit_head(self, head: str, self_closing: bool) -> str:
        p = self.prefix
        ep = re.escape(p)
        _, _, root = _root(head)
        if self.declare_rel_ns:
            tag = root.group(0)
            tag = tag[:-1] + f' xmlns:{self.rel_prefix}="{NS_R}">'
            head = head[: root.start()] + tag + head[root.end() :]
        # <dimension ref>
        dm = re.search(rf"<{ep}dimension\b([^>]*?)/?>", head)
        if dm:
            ref = _get_attr(dm.group(1), "ref") or "A1"
            try:
                corners = [_parse_ref(x) for x in ref.split(":")]
            except ValueError:
                corners = [(1, 0)]
            top = min(r for r, _ in corners)
            left = min(c for _, c in corners)
            bottom = max([r for r, _ in corners] + [self.extent[1], *self.targets[-1:]])
            right = max(
                [c for _, c in corners]
                + [
                    self.extent[0],
                    self.first_col + len(self.plan.headers) - 1,
                    self.plan.max_mark_col,
                    self.plan.max_value_col,
                ]
            )
            new_ref = f"{col_letter(left)}{top}:{col_letter(right)}{bottom}"
            head = head[: dm.start()] + _set_attr(dm.group(0), "ref", new_ref) + head[dm.end() :]
        # <cols>: remember column styles; add widths for uncovered status columns
        cm = re.search(rf"<{ep}cols\b[^>]*?(/?)>", head)
        cols: list[tuple[int, int, str]] = []
        if cm and not cm.group(1):
            end = head.index(f"</{p}cols>", cm.end())
            for col in re.finditer(
                rf"<{ep}col\b([^>]*?)(?:/>|>.*?</{ep}col>)", head[cm.end() : end], re.S
            ):
                lo = int(_get_attr(col.group(1), "min") or 1)
                hi = int(_get_attr(col.group(1), "max") or lo)
                cols.append((lo, hi, col.group(0)))
                style = _get_attr(col.group(1), "style")
                if style and style.isdigit():
                    self.col_styles.append((lo - 1, hi - 1, int(style)))
        new_cols = []
        for i, width in enumerate(self.plan.widths):
            n = self.first_col + i + 1
            if not any(lo <= n <= hi for lo, hi, _ in cols):
                new_cols.append(
                    (n, n, f'<{p}col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>')
                )
        if new_cols:
            merged = sorted(cols + new_cols, key=lambda c: c[0])
            inner = "".join(c[2] for c in merged)
            if cm and not cm.group(1):
                end = head.index(f"</{p}cols>", cm.end())
                head = head[: cm.end()] + inner + head[end:]
            elif cm:
                head = (
                    head[: cm.start()] + cm.group(0)[:-2] + f">{inner}</{p}cols>" + head[cm.end() :]
                )
            else:
                sd = re.search(rf"<{ep}sheetData\b", head)
                assert sd is not None
                head = head[: sd.start()] + f"<{p}cols>{inner}</{p}cols>" + head[sd.start() :]
        if self_closing:
            sd = re.search(rf"<{ep}sheetData\b([^>]*?)/>", head)
            assert sd is not None
            head = head[: sd.start()] + f"<{p}sheetData{sd.group(1)}>" + head[sd.end() :]
        return head

    def _edit_tail(self, tail: str) -> str:
        if not self.legacy_rid:
            return tail
        existing = re.search(rf"<{re.escape(self.prefix)}legacyDrawing\b[^>]*>", tail)
        if existing:  # dangling reference (its part is missing): point it at our VML
            tag = _set_attr(existing.group(0), f"{self.rel_prefix}:id", self.legacy_rid)
            return tail[: existing.start()] + tag + tail[existing.end() :]
        insert_at = 0
        depth = 0
        child_name = ""
        for m in _TAG_RE.finditer(tail):
            closing, name, _attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
            local = name.split(":")[-1]
            if closing:
                depth -= 1
                if depth < 0:
                    break  # </worksheet>
                if depth == 0 and child_name in _BEFORE_LEGACY_DRAWING:
                    insert_at = m.end()
            elif empty:
                if depth == 0 and local in _BEFORE_LEGACY_DRAWING:
                    insert_at = m.end()
            else:
                if depth == 0:
                    child_name = local
                depth += 1
        element = f'<{self.prefix}legacyDrawing {self.rel_prefix}:id="{self.legacy_rid}"/>'
        return tail[:insert_at] + element + tail[insert_at:]


# --------------------------------------------------------------------------- summary sheet


def _load_chart_template() -> jinja2.Template:
    """The chart template from ``<repo>/templates``; the inline copy if not installed there."""
    path = TEMPLATES_DIR / CHART_TEMPLATE
    source = path.read_text(encoding="utf-8") if path.is_file() else _CHART_TEMPLATE_FALLBACK
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    return env.from_string(source)


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _quote_text(text: str) -> str:
    """A text constant in a formula: in double quotes, inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def _unique_sheet_name(wanted: str, existing: list[str]) -> str:
    base = _SHEET_NAME_BAD_RE.sub("_", wanted).strip("'") or "Summary"
    taken = {n.lower() for n in existing}
    name = base[:31]
    n = 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    return name


def _number_text(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return None


@dataclass(frozen=True, slots=True)
class _SummaryXfs:
    """The styles of the added sheets (made once, shared by all of them)."""

    title: int
    table_title: int
    header: int
    body: int
    body_text: int


def _summary_xfs(styles: _Styles) -> _SummaryXfs:
    border = styles.thin_border()
    return _SummaryXfs(
        title=styles.add_xf(font=styles.bold_font(14)),
        table_title=styles.add_xf(font=styles.bold_font()),
        header=styles.add_xf(
            font=styles.bold_font(),
            fill=styles.fill(HEADER_FILL_RGB),
            border=border,
            wrap=True,
            vertical="center",
        ),
        body=styles.add_xf(border=border, vertical="top"),
        body_text=styles.add_xf(num_fmt=TEXT_FMT_ID, border=border, vertical="top"),
    )


@dataclass(slots=True)
class _SummaryParts:
    xml: str
    chart: dict[str, object] | None  # chart template context
    anchor: tuple[int, int, int, int]  # chart anchor (col0, row0, col1, row1)
    filter_ref: str | None  # "A1:E9": the autofiltered range, if any


def _summary_parts(
    summary: SummarySheet, name: str, xfs: _SummaryXfs, drawing_rid: str
) -> _SummaryParts:
    """The worksheet XML of an added sheet, and what its chart and filter need."""
    rows: list[str] = []
    chart: dict[str, object] | None = None
    max_cols = 1
    longest: dict[int, int] = {}
    freeze_row = 0
    filter_ref = None

    def cell(r: int, c: int, value: object, xf: int, text_xf: int | None = None) -> str:
        ref = f"{col_letter(c)}{r}"
        if value is None or value == "":
            return f'<c r="{ref}" s="{xf}"/>'
        num = _number_text(value)
        if num is not None:
            return f'<c r="{ref}" s="{xf}"><v>{num}</v></c>'
        text = str(value)
        return (
            f'<c r="{ref}" s="{xf if text_xf is None else text_xf}" t="inlineStr"><is>'
            f'<t xml:space="preserve">{_esc_text(text[:MAX_CELL_TEXT])}</t></is></c>'
        )

    def measure(c: int, value: object) -> None:
        if value is not None:
            text = str(value)
            size = max((len(line) for line in text.splitlines()), default=0)
            longest[c] = max(longest.get(c, 0), size)

    if summary.tables and summary.chart_table >= len(summary.tables):
        raise ValueError(f"chart_table {summary.chart_table} out of range")
    r = 1
    if summary.title:
        rows.append(f'<row r="1">{cell(1, 0, summary.title, xfs.title)}</row>')
        r = 3
    quoted = _quote_sheet(name)
    for t_index, table in enumerate(summary.tables):
        if table.title:
            rows.append(f'<row r="{r}">{cell(r, 0, table.title, xfs.table_title)}</row>')
            r += 1
        header_r = r
        heads = "".join(cell(r, c, h, xfs.header) for c, h in enumerate(table.headers))
        rows.append(f'<row r="{r}">{heads}</row>')
        for c, h in enumerate(table.headers):
            measure(c, h)
        r += 1
        first_data = r
        width = len(table.headers)
        for values in table.rows:
            cells = "".join(
                cell(r, c, values[c] if c < len(values) else None, xfs.body, xfs.body_text)
                for c in range(max(width, len(values)))
            )
            rows.append(f'<row r="{r}">{cells}</row>')
            for c, v in enumerate(values):
                measure(c, v)
            r += 1
        max_cols = max(max_cols, width, *(len(v) for v in table.rows or [[]]))
        if t_index == 0 and summary.freeze_filter:
            freeze_row = header_r
            if table.rows and width:
                filter_ref = f"A{header_r}:{col_letter(width - 1)}{r - 1}"
        if t_index == summary.chart_table and table.rows:
            last = r - 1
            chart = {
                "title": summary.chart_title,
                "name": str(table.headers[1]) if len(table.headers) > 1 else "",
                "name_ref": f"{quoted}!$B${header_r}",
                "cat_ref": f"{quoted}!$A${first_data}:$A${last}",
                "val_ref": f"{quoted}!$B${first_data}:$B${last}",
                "categories": [str(v[0]) if v else "" for v in table.rows],
                "values": [
                    (i, num)
                    for i, v in enumerate(table.rows)
                    if len(v) > 1 and (num := _number_text(v[1])) is not None
                ],
            }
        r += 1  # blank row between tables
    last_row = max(1, r - 2)
    anchor_col = max_cols + 1
    n_cat = len(chart["categories"]) if chart else 0  # type: ignore[arg-type]
    anchor = (anchor_col, 2, anchor_col + 8, 2 + max(16, int(n_cat * 1.6) + 6))
    drawing = f'<drawing r:id="{drawing_rid}"/>' if chart else ""
    widths = {c: min(40, max(10, n + 2)) for c, n in longest.items()}
    # the first column holds the labels and the title spills from it: up to 50 wide
    widths[0] = max(12, min(50, len(summary.title) // 2), min(50, longest.get(0, 0) + 2))
    cols = "".join(
        f'<col min="{c + 1}" max="{c + 1}" width="{w}" customWidth="1"/>'
        for c, w in sorted(widths.items())
    )
    view = '<sheetView workbookViewId="0"/>'
    if freeze_row:
        below = f"A{freeze_row + 1}"
        view = (
            f'<sheetView workbookViewId="0"><pane ySplit="{freeze_row}" topLeftCell="{below}" '
            f'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
            f'activeCell="{below}" sqref="{below}"/></sheetView>'
        )
    auto_filter = f'<autoFilter ref="{filter_ref}"/>' if filter_ref else ""
    # printed on A4 landscape, scaled to the page width: the chart, anchored beside the
    # first rows of the tables, then lies whole on the first page
    xml = (
        XML_DECL + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{col_letter(max_cols - 1)}{last_row}"/>'
        f"<sheetViews>{view}</sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>{auto_filter}"
        '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="{PAPER_A4}" orientation="landscape" fitToWidth="1" '
        'fitToHeight="0"/>'
        f"{drawing}</worksheet>"
    )
    return _SummaryParts(xml, chart, anchor, filter_ref)


def _drawing_xml(anchor: tuple[int, int, int, int], chart_rid: str) -> str:
    c0, r0, c1, r1 = anchor
    return (
        XML_DECL + '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
        'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<xdr:twoCellAnchor editAs="oneCell">'
        f"<xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r0}</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{c1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r1}</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:to>"
        '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Chart 1"/>'
        "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
        '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:r="{NS_R}" r:id="{chart_rid}"/></a:graphicData></a:graphic></xdr:graphicFrame>'
        "<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
    )


# --------------------------------------------------------------------------- package


class _Package:
    """The parts of the source package this module reads or changes."""

    def __init__(self, zin: zipfile.ZipFile, sheet_name: str) -> None:
        self.zin = zin
        self.infos = [i for i in zin.infolist() if not i.is_dir()]
        self.names = {i.filename.lower(): i.filename for i in self.infos}
        self.content_types = self.text("[Content_Types].xml")
        if self.content_types is None:
            raise WorkbookPackageError("Tệp không phải là sổ tính Excel .xlsx/.xlsm hợp lệ.")
        if "purl.oclc.org/ooxml" in self.content_types or "purl.oclc.org" in (
            self.text("_rels/.rels") or ""
        ):
            raise WorkbookPackageError("Sổ tính dạng Strict Open XML chưa được hỗ trợ.")
        root_rels = _parse_rels(self.text("_rels/.rels"), "")
        office = [r for r in root_rels if r.type == RT_OFFICE and not r.external]
        if not office or self.real(office[0].target) is None:
            raise WorkbookPackageError("Tệp không phải là sổ tính Excel .xlsx/.xlsm hợp lệ.")
        self.workbook_part = self.real(office[0].target) or ""
        self.workbook_xml = self.text(self.workbook_part) or ""
        self.workbook_rels_part = _rels_part(self.workbook_part)
        self.workbook_rels_xml = self.text(self.workbook_rels_part)
        self.workbook_rels = _parse_rels(self.workbook_rels_xml, self.workbook_part)
        wb = ET.fromstring(self.workbook_xml.encode())
        self.sheets: list[tuple[str, int, str]] = []  # (name, sheetId, rId)
        for el in wb.iter(f"{{{NS_MAIN}}}sheet"):
            self.sheets.append(
                (el.get("name", ""), int(el.get("sheetId", "0") or 0), el.get(f"{{{NS_R}}}id", ""))
            )
        match = [s for s in self.sheets if s[0] == sheet_name] or [
            s for s in self.sheets if s[0].lower() == sheet_name.lower()
        ]
        if not match:
            raise WorkbookPackageError(f"Không tìm thấy trang tính «{sheet_name}» trong tệp.")
        rel = next((r for r in self.workbook_rels if r.id == match[0][2]), None)
        if rel is None or rel.type != RT_WORKSHEET or self.real(rel.target) is None:
            raise WorkbookPackageError(f"Trang tính «{sheet_name}» không phải là bảng tính thường.")
        self.sheet_part = self.real(rel.target) or ""
        self.sheet_rels_part = _rels_part(self.sheet_part)
        self.sheet_rels_part = self.real(self.sheet_rels_part) or self.sheet_rels_part
        self.sheet_rels_xml = self.text(self.sheet_rels_part)
        self.sheet_rels = _parse_rels(self.sheet_rels_xml, self.sheet_part)
        styles = [r for r in self.workbook_rels if r.type == RT_STYLES and not r.external]
        self.styles_part = self.real(styles[0].target) if styles else None
        self.comments_part = self._sheet_rel_part(RT_COMMENTS)
        self.vml_part: str | None = None  # set from <legacyDrawing r:id> by set_legacy_drawing
        pr = wb.find(f"{{{NS_MAIN}}}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "").strip().lower() in ("1", "true")
        # caches and macro parts that an edit may have to drop: (relationship id, part)
        self.calc_chain = [
            (r.id, self.real(r.target) or "")
            for r in self.workbook_rels
            if r.type == RT_CALC_CHAIN and not r.external and self.real(r.target)
        ]
        self.vba = [
            (r.id, self.real(r.target) or "")
            for r in self.workbook_rels
            if r.type == RT_VBA and not r.external and self.real(r.target)
        ]

    def set_legacy_drawing(self, rid: str | None) -> None:
        """The VML part of the sheet's notes/controls (not the header/footer image VML)."""
        self.vml_part = None
        for rel in self.sheet_rels:
            if rel.id == rid and rel.type == RT_VML and not rel.external:
                self.vml_part = self.real(rel.target)

    def _sheet_rel_part(self, rel_type: str) -> str | None:
        for rel in self.sheet_rels:
            if rel.type == rel_type and not rel.external and self.real(rel.target):
                return self.real(rel.target)
        return None

    def real(self, part: str) -> str | None:
        """The zip member name of a part (part names are case-insensitive)."""
        return self.names.get(part.lower())

    def text(self, part: str) -> str | None:
        name = self.real(part)
        if name is None:
            return None
        return self.zin.read(name).decode("utf-8")


def _drop_rels(xml: str, ids: set[str]) -> str:
    """A .rels part without the relationships ``ids``."""

    def keep(m: re.Match[str]) -> str:
        return "" if _get_attr(m.group(1), "Id") in ids else m.group(0)

    return re.sub(r"<(?:[\w.-]+:)?Relationship\b([^>]*?)(?:/>|>.*?</(?:[\w.-]+:)?Relationship>)",
                  keep, xml, flags=re.S)


def _retype_part(xml: str, part: str, old: str, new: str) -> str:
    """[Content_Types].xml with the Override of ``part`` changed from ``old`` to ``new``."""

    def edit(m: re.Match[str]) -> str:
        name = (_get_attr(m.group(0), "PartName") or "").lstrip("/").lower()
        if name == part.lower() and _get_attr(m.group(0), "ContentType") == old:
            return _set_attr(m.group(0), "ContentType", new)
        return m.group(0)

    return re.sub(r"<(?:[\w.-]+:)?Override\b[^>]*>", edit, xml)


def _drop_overrides(xml: str, parts: set[str]) -> str:
    """[Content_Types].xml without the Override entries of ``parts``."""
    lowered = {x.lower() for x in parts}

    def keep(m: re.Match[str]) -> str:
        name = (_get_attr(m.group(1), "PartName") or "").lstrip("/").lower()
        return "" if name in lowered else m.group(0)

    return re.sub(r"<(?:[\w.-]+:)?Override\b([^>]*?)(?:/>|>\s*</(?:[\w.-]+:)?Override>)",
                  keep, xml)


def _add_defined_names(xml: str, p: str, names: str) -> str:
    """workbook.xml with ``names`` (definedName elements) added, at their place."""
    ep = re.escape(p)
    m = re.search(rf"<{ep}definedNames\b[^>]*?/?>", xml)
    if m:
        return _append_children_at(xml, m, p, "definedNames", names)
    at = -1  # CT_Workbook: sheets, functionGroups?, externalReferences?, definedNames?
    for name in ("sheets", "functionGroups", "externalReferences"):
        close = xml.rfind(f"</{p}{name}>")
        if close >= 0:
            at = max(at, close + len(f"</{p}{name}>"))
        elif empty := re.search(rf"<{ep}{name}\b[^>]*/>", xml):
            at = max(at, empty.end())
    if at < 0:
        raise WorkbookPackageError("Tệp Excel bị hỏng: thiếu phần tử <sheets>.")
    return xml[:at] + f"<{p}definedNames>{names}</{p}definedNames>" + xml[at:]


def _content_types(xml: str, defaults: dict[str, str], overrides: dict[str, str]) -> str:
    """Add Default/Override entries that are not there yet."""
    p, _, _ = _root(xml)
    have_ext = {e.lower() for e in re.findall(r"""Extension\s*=\s*["']([^"']*)["']""", xml)}
    have_part = {e.lower() for e in re.findall(r"""PartName\s*=\s*["']([^"']*)["']""", xml)}
    add = ""
    for ext, ctype in defaults.items():
        if ext.lower() not in have_ext:
            add += f'<{p}Default Extension="{ext}" ContentType="{ctype}"/>'
    for part, ctype in overrides.items():
        if ("/" + part).lower() not in have_part:
            add += f'<{p}Override PartName="/{_esc_attr(part)}" ContentType="{ctype}"/>'
    return _append_children(xml, p, "Types", add) if add else xml


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type = (
        info.compress_type
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        else zipfile.ZIP_DEFLATED
    )
    new.external_attr = info.external_attr
    new.file_size = info.file_size
    return new


def _new_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


# A sheet this module added carries a hidden sheet-scoped defined name holding the name it
# was asked for: the proof that a later run may replace it (a user's own sheet that happens
# to be called "Tổng hợp" has no such name and is kept). Excel, WPS and LibreOffice keep it.
OWN_SHEET_MARK = "_vaxclean_sheet"
_DEFINED_NAME_RE = (r"<{p}definedName\b([^>]*?)(?:/>|>(.*?)</{p}definedName>)")


def _own_sheets(workbook_xml: str, p: str) -> dict[int, str]:
    """Sheet index -> the name it was added as, for the sheets an earlier run added."""
    out: dict[int, str] = {}
    for m in re.finditer(_DEFINED_NAME_RE.format(p=re.escape(p)), workbook_xml, re.S):
        local = _get_attr(m.group(1), "localSheetId")
        if _get_attr(m.group(1), "name") != OWN_SHEET_MARK or not (local or "").isdigit():
            continue
        text = _unesc(m.group(2) or "").strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            out[int(local or 0)] = text[1:-1].replace('""', '"')
    return out


def _own_slot(wanted: str, sheet_names: list[str], own: dict[int, str],
              skip: set[int]) -> int | None:
    """The sheet an earlier run added as ``wanted`` (named so, or so plus " (n)" when the
    user had a sheet of that name), to be replaced in place; None to add a new sheet."""
    base = (_SHEET_NAME_BAD_RE.sub("_", wanted).strip("'") or "Summary").lower()
    suffixed = None
    for i, name in enumerate(sheet_names):
        if i in skip or own.get(i) != wanted:
            continue
        if name.lower() == base[:31]:
            return i
        m = re.fullmatch(r"(.*) \(\d+\)", name.lower())
        if m and m.group(1) and base.startswith(m.group(1)) and suffixed is None:
            suffixed = i
    return suffixed


def _drop_sheet_names(workbook_xml: str, p: str, indices: set[int]) -> str:
    """workbook.xml without the defined names scoped to the sheets ``indices`` (their print
    areas, filters and marks go with the sheets being replaced)."""
    wanted = {str(i) for i in indices}

    def keep(m: re.Match[str]) -> str:
        return "" if _get_attr(m.group(1), "localSheetId") in wanted else m.group(0)

    return re.sub(_DEFINED_NAME_RE.format(p=re.escape(p)), keep, workbook_xml, flags=re.S)


def _owned_parts(pkg: _Package, sheet_parts: set[str]) -> set[str]:
    """The parts only ``sheet_parts`` use (drawings, charts, notes, printer settings ... and
    their .rels), found on the package's relationship graph, to drop with those sheets."""
    graph: dict[str, set[str]] = {}
    rels_of: dict[str, str] = {}
    for info in pkg.infos:
        name = info.filename
        folder, file = posixpath.split(name)
        if not file.lower().endswith(".rels") or posixpath.basename(folder) != "_rels":
            continue
        source = posixpath.join(posixpath.dirname(folder), file[: -len(".rels")])
        source = pkg.real(source) or source
        rels_of[source] = name
        with contextlib.suppress(ET.ParseError, UnicodeDecodeError):
            graph[source] = {
                real for r in _parse_rels(pkg.text(name), source)
                if not r.external and (real := pkg.real(r.target)) is not None
            }

    def reach(starts: Iterable[str], blocked: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(starts)
        while todo:
            part = todo.pop()
            if part in seen:
                continue
            seen.add(part)
            if part not in blocked:
                todo.extend(graph.get(part, ()))
        return seen

    from_sheets = reach(sheet_parts, set()) - sheet_parts
    still_used = reach([""], sheet_parts)  # "" is the package root (_rels/.rels)
    owned = from_sheets - still_used
    return owned | {rels_of[x] for x in owned | sheet_parts if x in rels_of}


def _write_package(
    zin: zipfile.ZipFile,
    pkg: _Package,
    out_path: str,
    plan: _Plan,
    summaries: list[SummarySheet],
    first_col: int,
    check_collisions: bool,
    sheet_info: _SheetInfo,
    extent: tuple[int, int],
    macro: bool | None = None,
) -> None:
    """Write the package. ``macro``: True/False makes the workbook macro-enabled/plain to
    match the output's extension (.xlsm/.xlsx), None keeps it as it is."""
    names = set(pkg.names)
    replaced: dict[str, str] = {}  # existing member -> new text
    added: list[tuple[str, str | _Streamed]] = []  # new member -> text
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    dropped: set[str] = set()  # existing members left out
    wb_rels_dropped: set[str] = set()

    # styles
    styles_xml = pkg.text(pkg.styles_part) if pkg.styles_part else None
    styles = _Styles(styles_xml)
    header_xf = styles.add_xf(
        num_fmt=TEXT_FMT_ID,
        font=styles.bold_font(),
        fill=styles.fill(HEADER_FILL_RGB),
        wrap=True,
        vertical="center",
    )
    status_xf = styles.add_xf(num_fmt=TEXT_FMT_ID, wrap=True, vertical="top")
    styles_part = pkg.styles_part
    wb_rels_new: list[tuple[str, str, str]] = []
    wb_rel_ids = {r.id for r in pkg.workbook_rels}
    if styles_part is None:
        styles_part = "xl/styles.xml"
        if styles_part in names:
            styles_part = _fresh_name(names, "xl/styles{}.xml")
        names.add(styles_part)
        wb_rels_new.append(
            (_fresh_rid(wb_rel_ids), RT_STYLES, _rel_target(pkg.workbook_part, styles_part))
        )
        overrides[styles_part] = CT_STYLES

    # notes
    notes = plan.notes()
    sheet_rels_new: list[tuple[str, str, str]] = []
    sheet_rel_ids = {r.id for r in pkg.sheet_rels}
    legacy_rid = None
    rel_prefix = _ns_prefix(sheet_info.root_tag, NS_R)
    declare_rel_ns = False
    if notes:
        existing_comments = pkg.text(pkg.comments_part) if pkg.comments_part else None
        comments_xml, had_note = _build_comments(existing_comments, notes)
        if pkg.comments_part:
            replaced[pkg.comments_part] = comments_xml
        else:
            part = _fresh_name(names, "xl/comments{}.xml")
            added.append((part, comments_xml))
            overrides[part] = CT_COMMENTS
            sheet_rels_new.append(
                (_fresh_rid(sheet_rel_ids), RT_COMMENTS, _rel_target(pkg.sheet_part, part))
            )
        other_blocks: set[int] = set()
        for info in pkg.infos:
            if info.filename.lower().endswith(".vml") and info.filename != pkg.vml_part:
                with contextlib.suppress(UnicodeDecodeError):
                    other_blocks.update(_vml_blocks(zin.read(info).decode("utf-8")))
        new_shapes = [n for n in notes if (n[0], n[1]) not in had_note]
        if pkg.vml_part:
            existing_vml = zin.read(pkg.vml_part).decode("utf-8")
            replaced[pkg.vml_part] = _build_vml(existing_vml, other_blocks, new_shapes)
        else:
            part = _fresh_name(names, "xl/drawings/vmlDrawing{}.vml")
            added.append((part, _build_vml(None, other_blocks, new_shapes)))
            defaults["vml"] = CT_VML
            legacy_rid = _fresh_rid(sheet_rel_ids)
            sheet_rels_new.append((legacy_rid, RT_VML, _rel_target(pkg.sheet_part, part)))
            if rel_prefix is None:
                rel_prefix = "r"
                if re.search(r"xmlns:r\s*=", sheet_info.root_tag):
                    rel_prefix = "vxr"
                declare_rel_ns = True

    # added sheets; one an earlier run added under the same name is replaced in its slot
    # (its defined names, drawings and charts go with it, nothing is renumbered)
    workbook_xml = pkg.workbook_xml
    sheet_names = [s[0] for s in pkg.sheets]
    sheet_id = max([s[1] for s in pkg.sheets] + [0])
    xfs = _summary_xfs(styles) if summaries else None
    p, _, wb_root = _root(workbook_xml)
    r_prefix = _ns_prefix(wb_root.group(0), NS_R)
    own = _own_sheets(workbook_xml, p)
    sheet_targets = {r.id: pkg.real(r.target) for r in pkg.workbook_rels
                     if r.type == RT_WORKSHEET and not r.external}
    taken = {i for i, s in enumerate(pkg.sheets) if sheet_targets.get(s[2]) == pkg.sheet_part}
    renewed: dict[int, str] = {}  # slot -> sheet part rewritten in place
    sheet_elements = ""
    new_names = ""
    for summary in summaries:
        assert xfs is not None
        slot = _own_slot(summary.name, sheet_names, own, taken)
        if slot is not None and sheet_targets.get(pkg.sheets[slot][2]):
            taken.add(slot)
            index, name = slot, sheet_names[slot]
            sheet_part = sheet_targets[pkg.sheets[slot][2]] or ""
            renewed[slot] = sheet_part
        else:
            name = _unique_sheet_name(summary.name, sheet_names)
            sheet_names.append(name)
            index = len(sheet_names) - 1
            taken.add(index)
            sheet_id += 1
            sheet_part = _fresh_name(names, "xl/worksheets/sheet{}.xml")
            rid = _fresh_rid(wb_rel_ids)
            wb_rels_new.append((rid, RT_WORKSHEET, _rel_target(pkg.workbook_part, sheet_part)))
            overrides[sheet_part] = CT_WORKSHEET
            if r_prefix:
                sheet_elements += (f'<{p}sheet name="{_esc_attr(name)}" sheetId="{sheet_id}" '
                                   f'{r_prefix}:id="{rid}"/>')
            else:
                sheet_elements += (
                    f'<{p}sheet xmlns:r="{NS_R}" name="{_esc_attr(name)}" '
                    f'sheetId="{sheet_id}" r:id="{rid}"/>'
                )
        parts = _summary_parts(summary, name, xfs, "rId1")
        if index in renewed:
            replaced[sheet_part] = parts.xml
        else:
            added.append((sheet_part, parts.xml))
        if parts.chart is not None:
            drawing_part = _fresh_name(names, "xl/drawings/drawing{}.xml")
            chart_part = _fresh_name(names, "xl/charts/chart{}.xml")
            added.append((drawing_part, _drawing_xml(parts.anchor, "rId1")))
            added.append(
                (
                    _rels_part(drawing_part),
                    _rels_xml(None, [("rId1", RT_CHART, _rel_target(drawing_part, chart_part))]),
                )
            )
            added.append((chart_part, _load_chart_template().render(**parts.chart)))
            added.append(
                (
                    _rels_part(sheet_part),
                    _rels_xml(None, [("rId1", RT_DRAWING, _rel_target(sheet_part, drawing_part))]),
                )
            )
            overrides[drawing_part] = CT_DRAWING
            overrides[chart_part] = CT_CHART
        new_names += (f'<{p}definedName name="{OWN_SHEET_MARK}" localSheetId="{index}" '
                      f'hidden="1">{_esc_formula(_quote_text(summary.name))}</{p}definedName>')
        if parts.filter_ref:  # Excel keeps an autofilter's range in a hidden defined name
            absolute = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", parts.filter_ref)
            new_names += (
                f'<{p}definedName name="_xlnm._FilterDatabase" '
                f'localSheetId="{index}" hidden="1">'
                f"{_esc_formula(_quote_sheet(name))}!{absolute}</{p}definedName>"
            )
    if renewed:
        dropped |= _owned_parts(pkg, set(renewed.values()))
        workbook_xml = _drop_sheet_names(workbook_xml, p, set(renewed))
    if sheet_elements:
        workbook_xml = _append_children(workbook_xml, p, "sheets", sheet_elements)
    if new_names:
        workbook_xml = _add_defined_names(workbook_xml, p, new_names)
    if workbook_xml != pkg.workbook_xml:
        replaced[pkg.workbook_part] = workbook_xml

    # caches and macros that must go
    if plan.values and pkg.calc_chain:  # it may list a cell whose formula a value replaced
        for rid, part in pkg.calc_chain:
            wb_rels_dropped.add(rid)
            dropped.add(part)
    content_types = pkg.content_types
    if macro is False and pkg.vba:  # an .xlsx may not hold macros: Excel would refuse it
        for rid, part in pkg.vba:
            wb_rels_dropped.add(rid)
            dropped.add(part)
            vba_rels = pkg.real(_rels_part(part))
            if vba_rels:  # e.g. the project's digital signature
                dropped.add(vba_rels)
                for rel in _parse_rels(pkg.text(vba_rels), part):
                    if not rel.external and pkg.real(rel.target):
                        dropped.add(pkg.real(rel.target) or "")
    if macro is not None:
        old, new = (CT_MAIN, CT_MAIN_MACRO) if macro else (CT_MAIN_MACRO, CT_MAIN)
        content_types = _retype_part(content_types, pkg.workbook_part, old, new)
    if dropped:
        content_types = _drop_overrides(content_types, dropped)

    if wb_rels_new or wb_rels_dropped:
        xml = pkg.workbook_rels_xml
        if wb_rels_dropped and xml is not None:
            xml = _drop_rels(xml, wb_rels_dropped)
        if wb_rels_new:
            xml = _rels_xml(xml, wb_rels_new)
        assert xml is not None
        if pkg.workbook_rels_xml is None:
            added.append((pkg.workbook_rels_part, xml))
        else:
            replaced[pkg.real(pkg.workbook_rels_part) or pkg.workbook_rels_part] = xml
    if sheet_rels_new:
        xml = _rels_xml(pkg.sheet_rels_xml, sheet_rels_new)
        if pkg.sheet_rels_xml is None:
            added.append((pkg.sheet_rels_part, xml))
        else:
            replaced[pkg.sheet_rels_part] = xml
    ct_part = pkg.real("[Content_Types].xml") or "[Content_Types].xml"
    replaced[ct_part] = _content_types(content_types, defaults, overrides)

    rewriter = _SheetRewriter(
        prefix=sheet_info.prefix,
        plan=plan,
        styles=styles,
        first_col=first_col,
        check_collisions=check_collisions,
        header_xf=header_xf,
        status_xf=status_xf,
        legacy_rid=legacy_rid,
        rel_prefix=rel_prefix or "r",
        declare_rel_ns=declare_rel_ns,
        extent=extent,
        date1904=pkg.date1904,
    )
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
        for info in pkg.infos:
            name = info.filename
            if name in dropped:
                continue
            if name == pkg.sheet_part:
                new = _copy_info(info)
                new.compress_type = zipfile.ZIP_DEFLATED
                # the big part: fast deflate (level 1 costs ~25% more bytes, a third of
                # the time); ZipInfo has no public setter before Python 3.13
                new._compresslevel = 1  # type: ignore[attr-defined]
                big = info.file_size > (1 << 30)
                with (zin.open(info) as src, zout.open(new, "w", force_zip64=big) as dst,
                      _Prefetch(src) as ahead, _WriteBehind(dst.write) as behind):
                    rewriter.rewrite(ahead, behind.write)
            elif name == styles_part:
                continue  # written last: marks add styles while the sheet streams
            elif name in replaced:
                zout.writestr(_copy_info(info), replaced[name].encode("utf-8"))
            else:
                with zin.open(info) as src, zout.open(_copy_info(info), "w") as dst:
                    while block := src.read(1 << 20):
                        dst.write(block)
        zout.writestr(
            _copy_info(zin.getinfo(styles_part)) if pkg.styles_part else _new_info(styles_part),
            styles.render().encode("utf-8"),
        )
        for name, text in added:
            _write_text(zout, _new_info(name), text)


# --------------------------------------------------------------------------- threads
# zlib inflates, deflates and checksums without the GIL: the big sheet is read ahead and
# written behind on two helper threads while this one edits the rows (a third of the time
# of a 200,000-row rewrite is zlib's).


class _Prefetch:
    """A reader of ``src`` whose next CHUNK blocks are read on a helper thread."""

    def __init__(self, src: IO[bytes], depth: int = 4) -> None:
        self._src = src
        self._q: queue.Queue[bytes | BaseException] = queue.Queue(depth)
        self._stop = threading.Event()
        self._buf = b""
        self._eof = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                block = self._src.read(CHUNK)
                self._q.put(block)
                if not block:
                    return
        except BaseException as exc:  # handed to the reading thread
            self._q.put(exc)

    def read(self, n: int = -1) -> bytes:
        while not self._eof and (n < 0 or len(self._buf) < n):
            block = self._q.get()
            if isinstance(block, BaseException):
                raise block
            if not block:
                self._eof = True
                break
            self._buf += block
        if n < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def __enter__(self) -> _Prefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        while self._thread.is_alive():  # unblock a put() on a full queue
            with contextlib.suppress(Exception):
                self._q.get_nowait()
            self._thread.join(0.01)


class _WriteBehind:
    """``write`` called on a helper thread, in order; its error re-raised here."""

    def __init__(self, write: Callable[[bytes], object], depth: int = 4) -> None:
        self._write = write
        self._q: queue.Queue[bytes | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (block := self._q.get()) is not None:
            if self._error is None:
                try:
                    self._write(block)
                except BaseException as exc:
                    self._error = exc

    def write(self, block: bytes) -> None:
        if self._error is not None:
            raise self._error
        if block:
            self._q.put(block)

    def __enter__(self) -> _WriteBehind:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._q.put(None)
        self._thread.join()
        if self._error is not None and exc_type is None:
            raise self._error


# --------------------------------------------------------------------------- entry point


def annotate_xlsx(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    sheet_name: str,
    header_row: int,
    status_headers: list[str],
    status_rows: dict[int, list[str]],
    marks: list[CellMark] | Iterable[CellMark],
    summary: SummarySheet | Sequence[SummarySheet] | None,
    first_status_col: int | None = None,
    values: Mapping[tuple[int, int], CellValue] | None = None,
) -> None:
    """Write ``dst``: a copy of ``src`` with status columns, coloured marked cells and notes.

    ``first_status_col`` (0-based) overrides where the status columns start; by default they
    go right after the sheet's last used column (and after any column given a value).
    ``summary``: one sheet or several, added after the workbook's sheets in this order (names
    made unique); a sheet an earlier run added under the same name (it carries the hidden
    defined name ``_vaxclean_sheet``) is rewritten in its place instead, with the parts only
    it used. Added sheets print on A4 landscape, one page wide. ``values`` maps (Excel row
    1-based, column 0-based) to a new cell value: the content is replaced (a formula there
    is dropped), the cell's look is kept; text is written as text (a digit string gets the
    Text number format if its cell has another one), a date as a real date (a dd/mm/yyyy
    format unless the cell already shows dates).
    ``src`` is never modified; ``dst`` appears atomically (temp file in its folder, then
    ``os.replace``) or not at all. A ``dst`` named .xlsx gets a plain (macro-free) workbook,
    one named .xlsm a macro-enabled one, so that Excel accepts the extension.
    """
    src_p, dst_p = Path(src), Path(dst)
    if src_p.resolve() == dst_p.resolve() or (
        dst_p.exists() and src_p.exists() and os.path.samefile(src_p, dst_p)
    ):
        raise SameFileError("Tệp kết quả trùng với tệp gốc; hãy chọn một tên tệp khác.")
    plan = _make_plan(header_row, status_headers, status_rows, marks, values)
    if first_status_col is not None and not 0 <= first_status_col < MAX_COL:
        raise ValueError(f"first_status_col out of range: {first_status_col}")
    if first_status_col is not None and plan.headers:
        status_cols = range(first_status_col, first_status_col + len(plan.headers))
        for row in {plan.header_row, *plan.status}:
            if any(col in status_cols for col in plan.values.get(row, {})):
                raise ValueError(f"row {row}: a value would be overwritten by a status column")
    if summary is None:
        summaries: list[SummarySheet] = []
    elif isinstance(summary, SummarySheet):
        summaries = [summary]
    else:
        summaries = list(summary)
    macro = {".xlsx": False, ".xlsm": True}.get(dst_p.suffix.lower())
    with atomic_path(dst_p) as tmp_path:
        _annotate_into(src_p, str(tmp_path), sheet_name, plan, summaries, first_status_col,
                       macro)


def _annotate_into(src_p: Path, tmp: str, sheet_name: str, plan: _Plan,
                   summaries: list[SummarySheet], first_status_col: int | None,
                   macro: bool | None) -> None:
    """Write the annotated package of ``src_p`` to the file ``tmp``."""
    try:
        zin = zipfile.ZipFile(src_p)
    except zipfile.BadZipFile as exc:
        raise WorkbookPackageError(
            "Tệp không phải là sổ tính Excel .xlsx/.xlsm hợp lệ."
        ) from exc
    with zin:
        try:
            pkg = _Package(zin, sheet_name)
        except (ET.ParseError, UnicodeDecodeError, zipfile.BadZipFile, KeyError) as exc:
            raise WorkbookPackageError("Tệp Excel bị hỏng, không đọc được.") from exc
        has_vml = any(r.type == RT_VML and not r.external for r in pkg.sheet_rels)
        info = _peek_sheet(zin, pkg.sheet_part, need_tail=has_vml)
        pkg.set_legacy_drawing(info.legacy_drawing_rid)
        extent = (info.max_col, info.max_row)
        if first_status_col is not None:
            first_col, check = first_status_col, False
        elif info.dim_reliable:
            first_col, check = info.max_col + 1, True
        else:
            extent = _scan_extent(zin, pkg.sheet_part, info.prefix)
            first_col, check = extent[0] + 1, False
        if first_status_col is None:
            first_col = max(first_col, plan.max_value_col + 1)
        if first_col + len(plan.headers) > MAX_COL:
            raise ValueError("no room for the status columns")
        args = (zin, pkg, tmp, plan, summaries)
        try:
            _write_package(*args, first_col, check, info, extent, macro)
        except _Collision:  # <dimension> was wrong: measure the sheet and start again
            extent = _scan_extent(zin, pkg.sheet_part, info.prefix)
            first_col = max(first_col, extent[0] + 1)
            _write_package(*args, first_col, False, info, extent, macro)


# Inline copy of templates/summary_chart.xml.j2, used only when the package is installed
# without the repository's templates folder (a test keeps the two identical).
_CHART_TEMPLATE_FALLBACK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<c:lang val="vi-VN"/>
<c:roundedCorners val="0"/>
<c:chart>
<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/>
<a:p><a:pPr><a:defRPr sz="1200" b="1"/></a:pPr>
<a:r><a:rPr lang="vi-VN" sz="1200" b="1"/><a:t>{{ title }}</a:t></a:r></a:p>
</c:rich></c:tx><c:overlay val="0"/></c:title>
<c:autoTitleDeleted val="0"/>
<c:plotArea>
<c:layout/>
<c:barChart>
<c:barDir val="bar"/>
<c:grouping val="clustered"/>
<c:varyColors val="0"/>
<c:ser>
<c:idx val="0"/>
<c:order val="0"/>
<c:tx><c:strRef><c:f>{{ name_ref }}</c:f>
<c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>{{ name }}</c:v></c:pt></c:strCache>
</c:strRef></c:tx>
<c:spPr><a:solidFill><a:srgbClr val="4472C4"/></a:solidFill></c:spPr>
<c:invertIfNegative val="0"/>
<c:dLbls><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>
<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>
<c:cat><c:strRef><c:f>{{ cat_ref }}</c:f>
<c:strCache><c:ptCount val="{{ categories | length }}"/>
{%- for label in categories %}
<c:pt idx="{{ loop.index0 }}"><c:v>{{ label }}</c:v></c:pt>
{%- endfor %}
</c:strCache></c:strRef></c:cat>
<c:val><c:numRef><c:f>{{ val_ref }}</c:f>
<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{{ categories | length }}"/>
{%- for idx, number in values %}
<c:pt idx="{{ idx }}"><c:v>{{ number }}</c:v></c:pt>
{%- endfor %}
</c:numCache></c:numRef></c:val>
</c:ser>
<c:gapWidth val="60"/>
<c:axId val="50010001"/>
<c:axId val="50010002"/>
</c:barChart>
<c:catAx><c:axId val="50010001"/><c:scaling><c:orientation val="maxMin"/></c:scaling>
<c:delete val="0"/><c:axPos val="l"/><c:numFmt formatCode="General" sourceLinked="0"/>
<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>
<c:crossAx val="50010002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>
<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>
<c:valAx><c:axId val="50010002"/><c:scaling><c:orientation val="minMax"/></c:scaling>
<c:delete val="0"/><c:axPos val="b"/><c:majorGridlines/>
<c:numFmt formatCode="General" sourceLinked="1"/>
<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>
<c:crossAx val="50010001"/><c:crosses val="max"/><c:crossBetween val="between"/></c:valAx>
</c:plotArea>
<c:plotVisOnly val="1"/>
<c:dispBlanksAs val="gap"/>
</c:chart>
</c:chartSpace>
"""
