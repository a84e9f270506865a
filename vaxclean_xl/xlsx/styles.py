"""styles.xml of a workbook the user made, edited textually: new fonts, fills, borders,
number formats and cell formats appended, everything else kept as Excel wrote it.

Why by hand: the annotator marks cells in the user's own workbook and the import filler
writes into the platform's template; neither may re-save the package through a library
that drops what it does not model (see :mod:`vaxclean_xl.xlsx.ooxml`).
"""

from __future__ import annotations

import re

from vaxclean_xl.xlsx.ooxml import (
    NS_MAIN,
    XML_DECL,
    append_children,
    append_children_at,
    esc_attr,
    find_root,
    get_attr,
    part_root,
    set_attr,
)
from vaxclean_xl.xlsx.palette import FILL_RGB

STYLE_ORDER = (
    "numFmts fonts fills borders cellStyleXfs cellXfs cellStyles dxfs tableStyles colors extLst"
).split()
STYLE_CHILD = {"fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf"}
STYLE_DEFAULTS = {
    "fonts": '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    "fills": '<fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>',
    "borders": "<border><left/><right/><top/><bottom/><diagonal/></border>",
    "cellXfs": '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',
}
MINIMAL_STYLES = (
    XML_DECL + f'<styleSheet xmlns="{NS_MAIN}"><cellStyleXfs count="1">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs></styleSheet>'
)
# Built-in number formats that show a date or a time (ECMA-376 18.8.30, with the CJK ones).
DATE_FMT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
TEXT_FMT_ID = 49  # "@"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"


def is_date_code(code: str) -> bool:
    """Does a number format code show a date or a time (its first section has d/m/y/h/s)?"""
    code = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code)  # literals, escapes, padding
    code = re.sub(r"\[(?![hms]+\])[^\]]*\]", "", code, flags=re.I)  # [Red], [$-42A], not [h]
    return re.search(r"[dmyhs]", code.split(";")[0], re.I) is not None


class Styles:
    """Textual editor of styles.xml: appends fonts/fills/borders/xfs, keeps everything else."""

    def __init__(self, xml: str | None) -> None:
        self.xml = xml if xml is not None else MINIMAL_STYLES
        self.p = part_root(self.xml)[0]
        self.has_style_xfs = re.search(rf"<{re.escape(self.p)}cellStyleXfs\b", self.xml) is not None
        self.items: dict[str, list[str]] = {}
        self.new: dict[str, list[str]] = {}
        for coll, child in STYLE_CHILD.items():
            inner = self._inner(coll)
            p = re.escape(self.p)
            found = re.findall(rf"<{p}{child}\b(?:[^>]*?/>|.*?</{p}{child}>)", inner or "", re.S)
            self.items[coll] = found
            self.new[coll] = []
            if not found:  # missing or empty collection: Excel needs the default entries
                defaults = re.findall(
                    rf"<{child}\b(?:[^>]*?/>|.*?</{child}>)", STYLE_DEFAULTS[coll]
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
            fid, code = get_attr(tag, "numFmtId"), get_attr(tag, "formatCode")
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
        fid = get_attr(xf[: xf.index(">") + 1], "numFmtId")
        return int(fid) if fid and fid.strip().isdigit() else 0

    def is_date(self, index: int) -> bool:
        fid = self.num_fmt_id(index)
        code = self.fmt_codes.get(fid)
        return fid in DATE_FMT_IDS if code is None else is_date_code(code)

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
            self._prefixed(f'<numFmt numFmtId="{fid}" formatCode="{esc_attr(code)}"/>')
        )
        return fid

    def with_num_fmt(self, base: int, fmt_id: int) -> int:
        """Index of a clone of xf ``base`` (font, fill, border, alignment kept) showing
        ``fmt_id``; ``base`` itself when it already does."""
        if self.num_fmt_id(base) == fmt_id:
            return base
        key = (base, fmt_id)
        if key not in self._with_fmt:
            self._with_fmt[key] = self._clone_xf(
                base, {"numFmtId": str(fmt_id), "applyNumberFormat": "1"})
        return self._with_fmt[key]

    def marked(self, base: int, severity: str) -> int:
        """Index of a clone of xf ``base`` (font, border, number format kept) with the fill."""
        key = (base, severity)
        if key not in self._marked:
            fill = self.fill(FILL_RGB[severity])
            self._marked[key] = self._clone_xf(base, {"fillId": str(fill), "applyFill": "1"})
        return self._marked[key]

    def _clone_xf(self, base: int, attrs: dict[str, str]) -> int:
        """Index of a new xf: xf ``base`` (children kept) with ``attrs`` set on its tag."""
        xf = self._xf(base)
        end = xf.index(">") + 1
        tag = xf[:end]
        for name, value in attrs.items():
            tag = set_attr(tag, name, value)
        self.new["cellXfs"].append(tag + xf[end:])
        return len(self.items["cellXfs"]) + len(self.new["cellXfs"]) - 1

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
                xml = append_children_at(xml, m, p, coll, children)
                m = re.search(rf"<{re.escape(p)}{coll}\b[^>]*?/?>", xml)
                assert m is not None
            xml = xml[: m.start()] + set_attr(m.group(0), "count", str(total)) + xml[m.end() :]
        return xml

    def _insert_collection(self, xml: str, coll: str, element: str) -> str:
        p = re.escape(self.p)
        order = STYLE_ORDER
        for later in order[order.index(coll) + 1 :]:
            m = re.search(rf"<{p}{later}\b", xml)
            if m:
                return xml[: m.start()] + element + xml[m.start() :]
        return append_children(xml, self.p, "styleSheet", element)


def add_text_xf(xml: str) -> tuple[str, int] | None:
    """styles.xml with one more cellXfs entry (the start tag of xf 0 with the Text number
    format) and its index; None when the part has no <cellXfs>."""
    found = find_root(xml)
    prefix = (found.group(1) or "") if found else ""
    p = re.escape(prefix)
    m = re.search(rf"<{p}cellXfs\b[^>]*?(/?)>", xml)
    if m is None:
        return None
    if m.group(1):
        inner, end = "", m.end()
        start_tag = m.group(0)[:-2] + ">"
    else:
        end = xml.index(f"</{prefix}cellXfs>", m.end())
        inner = xml[m.end():end]
        start_tag = m.group(0)
    xfs = re.findall(rf"<{p}xf\b(?:[^>]*?/>|.*?</{p}xf>)", inner, re.S)
    first = re.match(rf"<{p}xf\b[^>]*?/?>", xfs[0]) if xfs else None
    tag = first.group(0) if first else (
        f'<{prefix}xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    )
    if not tag.endswith("/>"):
        tag = tag[:-1] + "/>"
    tag = set_attr(set_attr(tag, "numFmtId", str(TEXT_FMT_ID)), "applyNumberFormat", "1")
    index = len(xfs)
    start_tag = set_attr(start_tag, "count", str(index + 1))
    if m.group(1):
        new = start_tag + tag + f"</{prefix}cellXfs>"
        return xml[: m.start()] + new + xml[m.end():], index
    return xml[: m.start()] + start_tag + inner + tag + xml[end:], index
