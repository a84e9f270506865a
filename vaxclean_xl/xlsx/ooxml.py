"""OOXML names and the small textual edits every package editor makes.

Why textual: the annotator and the import-template filler edit parts of a workbook the
user made, and must leave what they do not touch exactly as Excel wrote it (namespace
prefixes, ``mc:Ignorable`` declarations, extension lists). So parts are edited as text
(insertions before a closing tag, attribute edits), never through a DOM that re-serialises
them. This module holds those edits, the escaping rules, cell references, relationships
(targets resolved, ``#fragment`` dropped) and content types, once for the whole package.
"""

from __future__ import annotations

import datetime as _dt
import math
import posixpath
import re
from dataclasses import dataclass
from functools import cache
from typing import AnyStr
from xml.etree import ElementTree as ET

from vaxclean_xl.errors import InputError
from vaxclean_xl.io.reader.columns import column_letter

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

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAX_ROW = 1_048_576
MAX_COL = 16_384
MAX_CELL_TEXT = 32_767
PAPER_A4 = 9  # SpreadsheetML paperSize

TAG_RE = re.compile(r"""<(/?)([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""")
_ROOT_RE = re.compile(r"""<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_ESCAPE_RE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
REF_RE = re.compile(rb"([A-Za-z]{1,3})(\d+)")


class WorkbookPackageError(InputError, ValueError):
    """The source is not a usable .xlsx/.xlsm package (not a zip, no such sheet, ...)."""


# --------------------------------------------------------------------------- cells

col_letter = cache(column_letter)  # 0-based column index -> Excel letters, memoised


def col_index(letters: str) -> int:
    """Excel letters -> 0-based column index ("A" -> 0); the letters are already matched
    (hot path: no validation, unlike ``column_index``)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def parse_ref(ref: str | bytes) -> tuple[int, int]:
    """Parse a cell reference: "B5" (or b"B5", "$B$5") -> (row 5, col 1)."""
    raw = ref.encode() if isinstance(ref, str) else ref
    m = REF_RE.fullmatch(raw.replace(b"$", b"").strip())
    if not m:
        raise ValueError(f"bad cell reference {ref!r}")
    return int(m.group(2)), col_index(m.group(1).decode())


def number_text(value: object) -> str | None:
    """The text of a cell's ``<v>`` for a number; None for anything else (bool too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return None


def excel_serial(value: _dt.date, date1904: bool) -> int | float | None:
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


# --------------------------------------------------------------------------- escaping


def esc_text(text: str) -> str:
    """Escape for element text; also OOXML's ``_xHHHH_`` convention and illegal chars."""
    text = _ILLEGAL_XML_RE.sub("", text)
    text = _OOXML_ESCAPE_RE.sub(r"_x005F_\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(text: str) -> str:
    """Escape for a double-quoted attribute value (no OOXML ``_x`` escaping)."""
    text = _ILLEGAL_XML_RE.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
    )


def esc_formula(text: str) -> str:
    """Escape a formula (or defined name) for element text: XML only, no ``_xHHHH_``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unesc(text: str) -> str:
    """Undo XML escaping of an attribute/text value (entities and character references)."""

    def repl(m: re.Match[str]) -> str:
        ent = m.group(1)
        if ent.startswith("#x") or ent.startswith("#X"):
            return chr(int(ent[2:], 16))
        if ent.startswith("#"):
            return chr(int(ent[1:]))
        return {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}.get(ent, m.group(0))

    return re.sub(r"&(#?\w+);", repl, text)


# --------------------------------------------------------------------------- attributes, elements


def get_attr(attrs: str, name: str) -> str | None:
    """The unescaped value of attribute ``name`` in the attribute text of a start tag."""
    m = re.search(rf"""(?:^|\s){re.escape(name)}\s*=\s*("([^"]*)"|'([^']*)')""", attrs)
    if not m:
        return None
    return unesc(m.group(2) if m.group(2) is not None else m.group(3))


_ATTR_B_RE: dict[bytes, re.Pattern[bytes]] = {}


def attr_b(attrs: bytes, name: bytes) -> bytes | None:
    """Value of attribute ``name`` in the attribute text of a start tag (bytes, raw)."""
    pattern = _ATTR_B_RE.get(name)
    if pattern is None:
        pattern = re.compile(rb"(?:^|\s)" + re.escape(name) + rb"\s*=\s*[\"']([^\"']*)[\"']")
        _ATTR_B_RE[name] = pattern
    m = pattern.search(attrs)
    return m.group(1) if m else None


def set_attr(tag: AnyStr, name: str, value: str) -> AnyStr:
    """Set ``name="value"`` in a start tag (``<x ...>`` or ``<x .../>``) keeping the rest;
    a bytes tag is edited as the same bytes (any encoding survives)."""
    if isinstance(tag, bytes):
        text = tag.decode("utf-8", "surrogateescape")
        return set_attr(text, name, value).encode("utf-8", "surrogateescape")
    pat = re.compile(rf"""(\s{re.escape(name)}\s*=\s*)("[^"]*"|'[^']*')""")
    if pat.search(tag):
        return pat.sub(lambda m: f'{m.group(1)}"{value}"', tag, count=1)
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:end]} {name}="{value}"{tag[end:]}'


def find_root(xml: str) -> re.Match[str] | None:
    """The root start tag of a part: groups (prefix with colon or None, local name, attrs)."""
    return _ROOT_RE.search(xml)


def part_root(xml: str) -> tuple[str, str, re.Match[str]]:
    """(prefix with colon or "", local name, match of the root start tag)."""
    m = find_root(xml)
    if not m:
        raise WorkbookPackageError("Tệp Excel bị hỏng: một phần XML không có phần tử gốc.")
    return m.group(1) or "", m.group(2), m


def ns_prefix(root_tag: str, namespace: str) -> str | None:
    """The prefix a start tag declares for ``namespace``, if any."""
    m = re.search(rf'xmlns:([\w.-]+)\s*=\s*["\']{re.escape(namespace)}["\']', root_tag)
    return m.group(1) if m else None


def append_children(xml: str, prefix: str, name: str, children: str) -> str:
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


def append_children_at(xml: str, start: re.Match[str], p: str, name: str, children: str) -> str:
    """Append children to the element whose start tag is ``start`` (may be self-closing)."""
    tag = start.group(0)
    if tag.endswith("/>"):
        return xml[: start.start()] + tag[:-2] + f">{children}</{p}{name}>" + xml[start.end() :]
    close = xml.index(f"</{p}{name}>", start.end())
    return xml[:close] + children + xml[close:]


# --------------------------------------------------------------------------- part names


def fresh_name(names: set[str], pattern: str) -> str:
    """First ``pattern.format(n)`` (n = 1, 2, ...) that is not a part of the package."""
    n = 1
    while pattern.format(n).lower() in names:
        n += 1
    name = pattern.format(n)
    names.add(name.lower())
    return name


def fresh_rid(ids: set[str]) -> str:
    """A relationship id ("rIdN") not in ``ids`` (added to it)."""
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    ids.add(f"rId{n}")
    return f"rId{n}"


# --------------------------------------------------------------------------- relationships


def rels_part(part: str) -> str:
    """The .rels part of ``part`` ("xl/workbook.xml" -> "xl/_rels/workbook.xml.rels")."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def rel_target(from_part: str, to_part: str) -> str:
    """The relative target that points from ``from_part`` to ``to_part``."""
    return posixpath.relpath(to_part, posixpath.dirname(from_part) or ".")


def resolve(from_part: str, target: str) -> str:
    """The part a relationship target of ``from_part`` names (a ``#fragment`` dropped)."""
    target = target.split("#", 1)[0]
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_part), target))


@dataclass(frozen=True, slots=True)
class Rel:
    """One relationship of a part."""

    id: str
    type: str
    target: str  # resolved part name for internal targets, raw target for external ones
    external: bool


def parse_rels(xml: str | bytes | None, source_part: str) -> list[Rel]:
    """The relationships of a .rels part whose source is ``source_part`` ("" for the root)."""
    if not xml:
        return []
    rels = []
    for el in ET.fromstring(xml.encode() if isinstance(xml, str) else xml):
        if el.tag != f"{{{NS_PKG_REL}}}Relationship":
            continue
        external = el.get("TargetMode", "") == "External"
        target = el.get("Target", "")
        rels.append(
            Rel(
                el.get("Id", ""),
                el.get("Type", ""),
                target if external else resolve(source_part, target),
                external,
            )
        )
    return rels


def rels_xml(xml: str | None, new: list[tuple[str, str, str]]) -> str:
    """Add ``(id, type, target)`` relationships to a .rels part (or create it)."""
    items = "".join(
        f'<Relationship Id="{rid}" Type="{esc_attr(typ)}" Target="{esc_attr(target)}"/>'
        for rid, typ, target in new
    )
    if not xml:
        return XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}">{items}</Relationships>'
    prefix, _, _ = part_root(xml)
    return append_children(xml, prefix, "Relationships", items)


def drop_rels(xml: str, ids: set[str]) -> str:
    """A .rels part without the relationships ``ids``."""

    def keep(m: re.Match[str]) -> str:
        return "" if get_attr(m.group(1), "Id") in ids else m.group(0)

    return re.sub(r"<(?:[\w.-]+:)?Relationship\b([^>]*?)(?:/>|>.*?</(?:[\w.-]+:)?Relationship>)",
                  keep, xml, flags=re.S)


# --------------------------------------------------------------------------- content types


def add_content_types(xml: str, defaults: dict[str, str], overrides: dict[str, str]) -> str:
    """[Content_Types].xml with the Default/Override entries that are not there yet."""
    p, _, _ = part_root(xml)
    have_ext = {e.lower() for e in re.findall(r"""Extension\s*=\s*["']([^"']*)["']""", xml)}
    have_part = {e.lower() for e in re.findall(r"""PartName\s*=\s*["']([^"']*)["']""", xml)}
    add = ""
    for ext, ctype in defaults.items():
        if ext.lower() not in have_ext:
            add += f'<{p}Default Extension="{ext}" ContentType="{ctype}"/>'
    for part, ctype in overrides.items():
        if ("/" + part).lower() not in have_part:
            add += f'<{p}Override PartName="/{esc_attr(part)}" ContentType="{ctype}"/>'
    return append_children(xml, p, "Types", add) if add else xml


def retype_part(xml: str, part: str, old: str, new: str) -> str:
    """[Content_Types].xml with the Override of ``part`` changed from ``old`` to ``new``."""

    def edit(m: re.Match[str]) -> str:
        name = (get_attr(m.group(0), "PartName") or "").lstrip("/").lower()
        if name == part.lower() and get_attr(m.group(0), "ContentType") == old:
            return set_attr(m.group(0), "ContentType", new)
        return m.group(0)

    return re.sub(r"<(?:[\w.-]+:)?Override\b[^>]*>", edit, xml)


def drop_overrides(xml: str, parts: set[str]) -> str:
    """[Content_Types].xml without the Override entries of ``parts``."""
    lowered = {x.lower() for x in parts}

    def keep(m: re.Match[str]) -> str:
        name = (get_attr(m.group(1), "PartName") or "").lstrip("/").lower()
        return "" if name in lowered else m.group(0)

    return re.sub(r"<(?:[\w.-]+:)?Override\b([^>]*?)(?:/>|>\s*</(?:[\w.-]+:)?Override>)",
                  keep, xml)
