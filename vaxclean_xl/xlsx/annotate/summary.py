"""The sheets the annotator adds after the user's: a title, small tables, a bar chart.

Written as worksheet XML with inline strings (no shared-strings part to merge), styled
with xfs added to the workbook's own styles.xml, printed on A4 landscape one page wide;
the chart is a DrawingML part rendered from ``templates/summary_chart.xml.j2``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jinja2

from vaxclean_xl.resources import resource_dir
from vaxclean_xl.xlsx.annotate.plan import SummarySheet
from vaxclean_xl.xlsx.ooxml import (
    MAX_CELL_TEXT,
    NS_MAIN,
    NS_R,
    PAPER_A4,
    XML_DECL,
    col_letter,
    esc_text,
    number_text,
)
from vaxclean_xl.xlsx.palette import HEADER_FILL_RGB
from vaxclean_xl.xlsx.styles import TEXT_FMT_ID, Styles

TEMPLATES_DIR = resource_dir("templates")
CHART_TEMPLATE = "summary_chart.xml.j2"
SHEET_NAME_BAD_RE = re.compile(r"[\[\]:*?/\\]")


def load_chart_template() -> jinja2.Template:
    """The chart template from ``<repo>/templates``; the inline copy if not installed there."""
    path = TEMPLATES_DIR / CHART_TEMPLATE
    source = path.read_text(encoding="utf-8") if path.is_file() else CHART_TEMPLATE_FALLBACK
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    return env.from_string(source)


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def quote_text(text: str) -> str:
    """A text constant in a formula: in double quotes, inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def unique_sheet_name(wanted: str, existing: list[str]) -> str:
    base = SHEET_NAME_BAD_RE.sub("_", wanted).strip("'") or "Summary"
    taken = {n.lower() for n in existing}
    name = base[:31]
    n = 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    return name


@dataclass(frozen=True, slots=True)
class SummaryXfs:
    """The styles of the added sheets (made once, shared by all of them)."""

    title: int
    table_title: int
    header: int
    body: int
    body_text: int


def summary_xfs(styles: Styles) -> SummaryXfs:
    border = styles.thin_border()
    return SummaryXfs(
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
class SummaryParts:
    xml: str
    chart: dict[str, object] | None  # chart template context
    anchor: tuple[int, int, int, int]  # chart anchor (col0, row0, col1, row1)
    filter_ref: str | None  # "A1:E9": the autofiltered range, if any


def summary_parts(
    summary: SummarySheet, name: str, xfs: SummaryXfs, drawing_rid: str
) -> SummaryParts:
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
        num = number_text(value)
        if num is not None:
            return f'<c r="{ref}" s="{xf}"><v>{num}</v></c>'
        text = str(value)
        return (
            f'<c r="{ref}" s="{xf if text_xf is None else text_xf}" t="inlineStr"><is>'
            f'<t xml:space="preserve">{esc_text(text[:MAX_CELL_TEXT])}</t></is></c>'
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
    quoted = quote_sheet(name)
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
                    if len(v) > 1 and (num := number_text(v[1])) is not None
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
    return SummaryParts(xml, chart, anchor, filter_ref)


def drawing_xml(anchor: tuple[int, int, int, int], chart_rid: str) -> str:
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



# Inline copy of templates/summary_chart.xml.j2, used only when the package is installed
# without the repository's templates folder (a test keeps the two identical).
CHART_TEMPLATE_FALLBACK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
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

