"""The sheets an earlier run added, found again and replaced in their slot.

A sheet the annotator added carries a hidden sheet-scoped defined name; a later run
rewrites that sheet where it is (its defined names, drawing, chart and .rels go with it)
instead of adding "Tổng hợp (2)", and leaves a user's own sheet of that name alone.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
from collections.abc import Iterable
from xml.etree import ElementTree as ET

from vaxclean_xl.xlsx.annotate.summary import SHEET_NAME_BAD_RE
from vaxclean_xl.xlsx.ooxml import (
    WorkbookPackageError,
    append_children_at,
    get_attr,
    parse_rels,
    unesc,
)
from vaxclean_xl.xlsx.package import PackageParts

# A sheet this module added carries a hidden sheet-scoped defined name holding the name it
# was asked for: the proof that a later run may replace it (a user's own sheet that happens
# to be called "Tổng hợp" has no such name and is kept). Excel, WPS and LibreOffice keep it.
OWN_SHEET_MARK = "_vaxclean_sheet"
_DEFINED_NAME_RE = (r"<{p}definedName\b([^>]*?)(?:/>|>(.*?)</{p}definedName>)")


def own_sheets(workbook_xml: str, p: str) -> dict[int, str]:
    """Sheet index -> the name it was added as, for the sheets an earlier run added."""
    out: dict[int, str] = {}
    for m in re.finditer(_DEFINED_NAME_RE.format(p=re.escape(p)), workbook_xml, re.S):
        local = get_attr(m.group(1), "localSheetId")
        if get_attr(m.group(1), "name") != OWN_SHEET_MARK or not (local or "").isdigit():
            continue
        text = unesc(m.group(2) or "").strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            out[int(local or 0)] = text[1:-1].replace('""', '"')
    return out


def own_slot(wanted: str, sheet_names: list[str], own: dict[int, str],
              skip: set[int]) -> int | None:
    """The sheet an earlier run added as ``wanted`` (named so, or so plus " (n)" when the
    user had a sheet of that name), to be replaced in place; None to add a new sheet."""
    base = (SHEET_NAME_BAD_RE.sub("_", wanted).strip("'") or "Summary").lower()
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


def drop_sheet_names(workbook_xml: str, p: str, indices: set[int]) -> str:
    """workbook.xml without the defined names scoped to the sheets ``indices`` (their print
    areas, filters and marks go with the sheets being replaced)."""
    wanted = {str(i) for i in indices}

    def keep(m: re.Match[str]) -> str:
        return "" if get_attr(m.group(1), "localSheetId") in wanted else m.group(0)

    return re.sub(_DEFINED_NAME_RE.format(p=re.escape(p)), keep, workbook_xml, flags=re.S)


def owned_parts(pkg: PackageParts, sheet_parts: set[str]) -> set[str]:
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
                real for r in parse_rels(pkg.text(name), source)
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



def add_defined_names(xml: str, p: str, names: str) -> str:
    """workbook.xml with ``names`` (definedName elements) added, at their place."""
    ep = re.escape(p)
    m = re.search(rf"<{ep}definedNames\b[^>]*?/?>", xml)
    if m:
        return append_children_at(xml, m, p, "definedNames", names)
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

