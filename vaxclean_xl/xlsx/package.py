"""The zip side of a workbook package: finding parts, copying members, writing new ones.

Why: an editor of the user's workbook copies every member it does not change byte for
byte (same name, date, compression, attributes), and finds the parts it does change by
following relationships from the package root, part names compared without case (as
OOXML says). Both editors (the annotator and the import-template filler) do it this way.
"""

from __future__ import annotations

import time
import zipfile
from xml.etree import ElementTree as ET

from vaxclean_xl.xlsx.ooxml import NS_MAIN, NS_R, RT_OFFICE, Rel, parse_rels, rels_part
from vaxclean_xl.xlsx.stream import COPY_BLOCK, Streamed


class PackageParts:
    """The members of an open package, found by part name (case-insensitive)."""

    def __init__(self, zin: zipfile.ZipFile) -> None:
        self.zin = zin
        self.infos = [i for i in zin.infolist() if not i.is_dir()]
        self.names = {i.filename.lower(): i.filename for i in self.infos}

    def real(self, part: str) -> str | None:
        """The zip member name of a part (part names are case-insensitive)."""
        return self.names.get(part.lower())

    def text(self, part: str) -> str | None:
        """The part as UTF-8 text; None when there is no such part."""
        name = self.real(part)
        if name is None:
            return None
        return self.zin.read(name).decode("utf-8")

    def rels(self, part: str) -> list[Rel]:
        """The relationships of ``part`` ("" for the package root)."""
        member = self.real(rels_part(part))
        return parse_rels(self.zin.read(member), part) if member else []

    def office_part(self, rels: list[Rel] | None = None) -> str | None:
        """The member name of the workbook part the root relationships point to."""
        rels = self.rels("") if rels is None else rels
        office = [r for r in rels if r.type == RT_OFFICE and not r.external]
        return self.real(office[0].target) if office else None


def workbook_sheets(workbook: ET.Element) -> list[tuple[str, int, str]]:
    """(name, sheetId, relationship id) of each sheet of a parsed workbook part, in order."""
    return [
        (el.get("name", ""), int(el.get("sheetId", "0") or 0), el.get(f"{{{NS_R}}}id", ""))
        for el in workbook.iter(f"{{{NS_MAIN}}}sheet")
    ]


def copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """The header of a member to write again under the same name, date and attributes
    (compression kept when the zip module can write it, else deflate)."""
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type = (
        info.compress_type
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        else zipfile.ZIP_DEFLATED
    )
    new.external_attr = info.external_attr
    new.comment = info.comment
    new.file_size = info.file_size  # lets zipfile choose ZIP64 for a huge member
    return new


def new_info(name: str) -> zipfile.ZipInfo:
    """The header of a new member: now, deflated, owner read/write."""
    info = zipfile.ZipInfo(name, time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def copy_member(zin: zipfile.ZipFile, info: zipfile.ZipInfo, zout: zipfile.ZipFile) -> None:
    """Copy a member as it is (inflated and deflated again in blocks)."""
    with zin.open(info) as src, zout.open(copy_info(info), "w") as dst:
        while block := src.read(COPY_BLOCK):
            dst.write(block)


def write_text(zout: zipfile.ZipFile, info: zipfile.ZipInfo, text: str | Streamed) -> None:
    """Write a part's text as UTF-8; a :class:`Streamed` one chunk by chunk."""
    if isinstance(text, Streamed):
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
