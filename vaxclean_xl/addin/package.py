"""Assemble the macro files: the add-in (.xlam) and the control workbook (.xlsm).

XlsxWriter writes the workbook and embeds ``vbaProject.bin`` (built from source by
``vbaproject.build_vba_project``); it has no ribbon support, so the package is then
rewritten once to add ``customUI/customUI14.xml``, its relationship in ``_rels/.rels``
and, for an add-in, the ``addin.macroEnabled.main+xml`` content type. Every zip entry
gets a fixed timestamp and the document properties a fixed date, so the same inputs
give the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

CUSTOMUI_PART = "customUI/customUI14.xml"
CUSTOMUI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLAM_MAIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
FIXED_TIME = (2022, 5, 4, 0, 0, 0)  # date of 2262/BYT-CNTT; any constant will do
FIXED_DATE = _dt.datetime(2022, 5, 4)


def write_macro_file(
    path: Path,
    *,
    vba_bin: bytes,
    ribbon_xml: str,
    addin: bool,
    fill: Callable[[object], None],
    title: str,
) -> None:
    """Write ``path``: ``fill(workbook)`` adds the sheets (XlsxWriter workbook, VBA names
    already set: ThisWorkbook and Sheet1…), then the ribbon is added to the package."""
    from vaxclean_xl.xlsx.workbook import new_workbook

    buf = io.BytesIO()
    wb = new_workbook(buf, in_memory=True)
    wb.set_properties({"title": title, "author": "vaxclean", "created": FIXED_DATE})
    wb.set_vba_name("ThisWorkbook")
    fill(wb)
    wb.add_vba_project(io.BytesIO(vba_bin), is_stream=True)
    wb.close()
    path.write_bytes(add_ribbon(buf.getvalue(), ribbon_xml, addin=addin))


def add_ribbon(package: bytes, ribbon_xml: str, *, addin: bool) -> bytes:
    """The package with the customUI part, its relationship and content types."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        for name in names:
            data = zin.read(name)
            if name == "_rels/.rels":
                data = _with_customui_rel(data.decode("utf-8")).encode("utf-8")
            elif name == "[Content_Types].xml" and addin:
                data = data.decode("utf-8").replace(XLSM_MAIN, XLAM_MAIN).encode("utf-8")
            _write(zout, name, data)
        _write(zout, CUSTOMUI_PART, ribbon_xml.encode("utf-8"))
    return out.getvalue()


def _with_customui_rel(rels: str) -> str:
    ids = set(re.findall(r'Id="([^"]+)"', rels))
    n = 1
    while f"rIdUI{n}" in ids:
        n += 1
    rel = (f'<Relationship Id="rIdUI{n}" Type="{CUSTOMUI_REL}" '
           f'Target="{CUSTOMUI_PART}"/>')
    return rels.replace("</Relationships>", rel + "</Relationships>")


def _write(zout: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    zout.writestr(info, data)
