"""The user's workbook package as the annotator sees it: the parts it reads or changes.

Found by relationships from the package root (never by fixed names): the workbook part,
the chosen sheet and its .rels, styles, the sheet's notes, the calculation chain and the
VBA project (which an edit may have to drop). What cannot be annotated is refused here,
with one Vietnamese line (not a package, Strict Open XML, no such sheet, a chart sheet).
"""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree as ET

from vaxclean_xl.xlsx.ooxml import (
    NS_MAIN,
    RT_CALC_CHAIN,
    RT_COMMENTS,
    RT_STYLES,
    RT_VBA,
    RT_VML,
    RT_WORKSHEET,
    WorkbookPackageError,
    parse_rels,
    rels_part,
)
from vaxclean_xl.xlsx.package import PackageParts, workbook_sheets


class SourcePackage(PackageParts):
    """The parts of the source package the annotator reads or changes."""

    def __init__(self, zin: zipfile.ZipFile, sheet_name: str) -> None:
        super().__init__(zin)
        self.content_types = self.text("[Content_Types].xml")
        if self.content_types is None:
            raise WorkbookPackageError("Tệp không phải là sổ tính Excel .xlsx/.xlsm hợp lệ.")
        if "purl.oclc.org/ooxml" in self.content_types or "purl.oclc.org" in (
            self.text("_rels/.rels") or ""
        ):
            raise WorkbookPackageError("Sổ tính dạng Strict Open XML chưa được hỗ trợ.")
        root_rels = parse_rels(self.text("_rels/.rels"), "")
        workbook_part = self.office_part(root_rels)
        if workbook_part is None:
            raise WorkbookPackageError("Tệp không phải là sổ tính Excel .xlsx/.xlsm hợp lệ.")
        self.workbook_part = workbook_part
        self.workbook_xml = self.text(self.workbook_part) or ""
        self.workbook_rels_part = rels_part(self.workbook_part)
        self.workbook_rels_xml = self.text(self.workbook_rels_part)
        self.workbook_rels = parse_rels(self.workbook_rels_xml, self.workbook_part)
        wb = ET.fromstring(self.workbook_xml.encode())
        self.sheets = workbook_sheets(wb)  # (name, sheetId, rId)
        match = [s for s in self.sheets if s[0] == sheet_name] or [
            s for s in self.sheets if s[0].lower() == sheet_name.lower()
        ]
        if not match:
            raise WorkbookPackageError(f"Không tìm thấy trang tính «{sheet_name}» trong tệp.")
        rel = next((r for r in self.workbook_rels if r.id == match[0][2]), None)
        if rel is None or rel.type != RT_WORKSHEET or self.real(rel.target) is None:
            raise WorkbookPackageError(f"Trang tính «{sheet_name}» không phải là bảng tính thường.")
        self.sheet_part = self.real(rel.target) or ""
        self.sheet_rels_part = rels_part(self.sheet_part)
        self.sheet_rels_part = self.real(self.sheet_rels_part) or self.sheet_rels_part
        self.sheet_rels_xml = self.text(self.sheet_rels_part)
        self.sheet_rels = parse_rels(self.sheet_rels_xml, self.sheet_part)
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
