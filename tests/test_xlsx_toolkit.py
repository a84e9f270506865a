"""The OOXML toolkit's small pieces that both package editors (annotator, import filler)
rely on: relationships, attribute edits, cell references, styles, new workbooks."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl

from vaxclean_xl.xlsx.ooxml import (
    NS_PKG_REL,
    RT_WORKSHEET,
    parse_ref,
    parse_rels,
    rels_part,
    resolve,
    set_attr,
)
from vaxclean_xl.xlsx.package import PackageParts
from vaxclean_xl.xlsx.styles import TEXT_FMT_ID, add_text_xf
from vaxclean_xl.xlsx.workbook import new_workbook


def test_relationship_targets_resolve_with_fragments_dropped() -> None:
    assert rels_part("xl/workbook.xml") == "xl/_rels/workbook.xml.rels"
    assert rels_part("") == "_rels/.rels"
    assert resolve("xl/workbook.xml", "worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
    assert resolve("xl/worksheets/sheet1.xml", "../drawings/d.xml#x") == "xl/drawings/d.xml"
    assert resolve("xl/workbook.xml", "/xl/styles.xml") == "xl/styles.xml"
    xml = (f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{RT_WORKSHEET}" '
           'Target="worksheets/sheet1.xml#A1"/><Relationship Id="rId2" Type="x" '
           'Target="https://example.org/#a" TargetMode="External"/></Relationships>')
    rels = parse_rels(xml, "xl/workbook.xml")
    assert [(r.id, r.target, r.external) for r in rels] == [
        ("rId1", "xl/worksheets/sheet1.xml", False), ("rId2", "https://example.org/#a", True)]
    assert parse_rels(xml.encode(), "xl/workbook.xml") == rels


def test_attribute_edits_keep_the_rest_of_the_tag() -> None:
    assert set_attr('<dimension ref="A1"/>', "ref", "A1:C9") == '<dimension ref="A1:C9"/>'
    assert set_attr("<x:c r='B2'>", "s", "3") == "<x:c r='B2' s=\"3\">"
    assert set_attr(b'<cellXfs count="2">', "count", "3") == b'<cellXfs count="3">'
    assert parse_ref("$B$5") == parse_ref(b"B5") == (5, 1)


def test_text_xf_is_xf_zero_with_the_text_format() -> None:
    xml = ('<styleSheet xmlns="m"><cellXfs count="1"><xf numFmtId="0" fontId="2" fillId="0" '
           'borderId="0"><alignment/></xf></cellXfs></styleSheet>')
    new, index = add_text_xf(xml) or ("", -1)
    assert index == 1
    assert (f'<cellXfs count="2"><xf numFmtId="0" fontId="2" fillId="0" borderId="0">'
            f'<alignment/></xf><xf numFmtId="{TEXT_FMT_ID}" fontId="2" fillId="0" '
            'borderId="0" applyNumberFormat="1"/></cellXfs>') in new
    assert add_text_xf('<styleSheet xmlns="m"/>') is None


def test_new_workbook_keeps_text_as_text(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("S")
    ws.write(0, 0, "001089012345")
    ws.write(1, 0, "=1+1")
    ws.write(2, 0, "http://example.org")
    wb.close()
    cells = [c.value for c in openpyxl.load_workbook(path)["S"]["A"]]
    assert cells == ["001089012345", "=1+1", "http://example.org"]
    assert openpyxl.load_workbook(path)["S"]["A2"].data_type == "s"
    buf = io.BytesIO()
    mem = new_workbook(buf, in_memory=True)
    mem.add_worksheet("p")
    mem.close()
    with zipfile.ZipFile(buf) as z:
        parts = PackageParts(z)
        assert parts.office_part() == "xl/workbook.xml"
        assert [r.type for r in parts.rels("xl/workbook.xml")].count(RT_WORKSHEET) == 1
