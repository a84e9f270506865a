"""The annotated package written: every member copied, the few that must change replaced.

Plans the changed and new parts (styles, notes and VML, added sheets with their drawings
and charts, relationships, content types, the calculation chain or VBA project to drop),
then writes the package once: the worksheet streamed through the sheet rewriter on
helper threads, styles.xml last (marks add styles while the sheet streams).
:func:`annotate_xlsx` is the entry point; the output appears atomically or not at all.
"""

from __future__ import annotations

import contextlib
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from vaxclean_xl.errors import E, OutputError
from vaxclean_xl.io.atomic import atomic_path
from vaxclean_xl.xlsx.annotate.notes import build_comments, build_vml, vml_blocks
from vaxclean_xl.xlsx.annotate.own_sheets import (
    OWN_SHEET_MARK,
    add_defined_names,
    drop_sheet_names,
    own_sheets,
    own_slot,
    owned_parts,
)
from vaxclean_xl.xlsx.annotate.plan import CellMark, CellValue, Plan, SummarySheet, make_plan
from vaxclean_xl.xlsx.annotate.rewriter import SheetRewriter
from vaxclean_xl.xlsx.annotate.sheet import Collision, SheetInfo, peek_sheet, scan_extent
from vaxclean_xl.xlsx.annotate.source import SourcePackage
from vaxclean_xl.xlsx.annotate.summary import (
    drawing_xml,
    load_chart_template,
    quote_sheet,
    quote_text,
    summary_parts,
    summary_xfs,
    unique_sheet_name,
)
from vaxclean_xl.xlsx.ooxml import (
    CT_CHART,
    CT_COMMENTS,
    CT_DRAWING,
    CT_MAIN,
    CT_MAIN_MACRO,
    CT_STYLES,
    CT_VML,
    CT_WORKSHEET,
    MAX_COL,
    NS_R,
    RT_CHART,
    RT_COMMENTS,
    RT_DRAWING,
    RT_STYLES,
    RT_VML,
    RT_WORKSHEET,
    WorkbookPackageError,
    add_content_types,
    append_children,
    col_letter,
    drop_overrides,
    drop_rels,
    esc_attr,
    esc_formula,
    fresh_name,
    fresh_rid,
    ns_prefix,
    parse_rels,
    part_root,
    rel_target,
    rels_part,
    rels_xml,
    retype_part,
)
from vaxclean_xl.xlsx.package import copy_info, copy_member, new_info, write_text
from vaxclean_xl.xlsx.palette import HEADER_FILL_RGB
from vaxclean_xl.xlsx.stream import Prefetch, Streamed, WriteBehind
from vaxclean_xl.xlsx.styles import TEXT_FMT_ID, Styles


class SameFileError(OutputError, ValueError):
    """The output path is the input file: writing it would destroy the user's original."""



def write_package(
    zin: zipfile.ZipFile,
    pkg: SourcePackage,
    out_path: str,
    plan: Plan,
    summaries: list[SummarySheet],
    first_col: int,
    check_collisions: bool,
    sheet_info: SheetInfo,
    extent: tuple[int, int],
    macro: bool | None = None,
) -> None:
    """Write the package. ``macro``: True/False makes the workbook macro-enabled/plain to
    match the output's extension (.xlsm/.xlsx), None keeps it as it is."""
    names = set(pkg.names)
    replaced: dict[str, str] = {}  # existing member -> new text
    added: list[tuple[str, str | Streamed]] = []  # new member -> text
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    dropped: set[str] = set()  # existing members left out
    wb_rels_dropped: set[str] = set()

    # styles
    styles_xml = pkg.text(pkg.styles_part) if pkg.styles_part else None
    styles = Styles(styles_xml)
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
            styles_part = fresh_name(names, "xl/styles{}.xml")
        names.add(styles_part)
        wb_rels_new.append(
            (fresh_rid(wb_rel_ids), RT_STYLES, rel_target(pkg.workbook_part, styles_part))
        )
        overrides[styles_part] = CT_STYLES

    # notes
    notes = plan.notes()
    sheet_rels_new: list[tuple[str, str, str]] = []
    sheet_rel_ids = {r.id for r in pkg.sheet_rels}
    legacy_rid = None
    rel_prefix = ns_prefix(sheet_info.root_tag, NS_R)
    declare_rel_ns = False
    if notes:
        existing_comments = pkg.text(pkg.comments_part) if pkg.comments_part else None
        comments_xml, had_note = build_comments(existing_comments, notes)
        if pkg.comments_part:
            replaced[pkg.comments_part] = comments_xml
        else:
            part = fresh_name(names, "xl/comments{}.xml")
            added.append((part, comments_xml))
            overrides[part] = CT_COMMENTS
            sheet_rels_new.append(
                (fresh_rid(sheet_rel_ids), RT_COMMENTS, rel_target(pkg.sheet_part, part))
            )
        other_blocks: set[int] = set()
        for info in pkg.infos:
            if info.filename.lower().endswith(".vml") and info.filename != pkg.vml_part:
                with contextlib.suppress(UnicodeDecodeError):
                    other_blocks.update(vml_blocks(zin.read(info).decode("utf-8")))
        new_shapes = [n for n in notes if (n[0], n[1]) not in had_note]
        if pkg.vml_part:
            existing_vml = zin.read(pkg.vml_part).decode("utf-8")
            replaced[pkg.vml_part] = build_vml(existing_vml, other_blocks, new_shapes)
        else:
            part = fresh_name(names, "xl/drawings/vmlDrawing{}.vml")
            added.append((part, build_vml(None, other_blocks, new_shapes)))
            defaults["vml"] = CT_VML
            legacy_rid = fresh_rid(sheet_rel_ids)
            sheet_rels_new.append((legacy_rid, RT_VML, rel_target(pkg.sheet_part, part)))
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
    xfs = summary_xfs(styles) if summaries else None
    p, _, wb_root = part_root(workbook_xml)
    r_prefix = ns_prefix(wb_root.group(0), NS_R)
    own = own_sheets(workbook_xml, p)
    sheet_targets = {r.id: pkg.real(r.target) for r in pkg.workbook_rels
                     if r.type == RT_WORKSHEET and not r.external}
    taken = {i for i, s in enumerate(pkg.sheets) if sheet_targets.get(s[2]) == pkg.sheet_part}
    renewed: dict[int, str] = {}  # slot -> sheet part rewritten in place
    sheet_elements = ""
    new_names = ""
    for summary in summaries:
        assert xfs is not None
        slot = own_slot(summary.name, sheet_names, own, taken)
        if slot is not None and sheet_targets.get(pkg.sheets[slot][2]):
            taken.add(slot)
            index, name = slot, sheet_names[slot]
            sheet_part = sheet_targets[pkg.sheets[slot][2]] or ""
            renewed[slot] = sheet_part
        else:
            name = unique_sheet_name(summary.name, sheet_names)
            sheet_names.append(name)
            index = len(sheet_names) - 1
            taken.add(index)
            sheet_id += 1
            sheet_part = fresh_name(names, "xl/worksheets/sheet{}.xml")
            rid = fresh_rid(wb_rel_ids)
            wb_rels_new.append((rid, RT_WORKSHEET, rel_target(pkg.workbook_part, sheet_part)))
            overrides[sheet_part] = CT_WORKSHEET
            if r_prefix:
                sheet_elements += (f'<{p}sheet name="{esc_attr(name)}" sheetId="{sheet_id}" '
                                   f'{r_prefix}:id="{rid}"/>')
            else:
                sheet_elements += (
                    f'<{p}sheet xmlns:r="{NS_R}" name="{esc_attr(name)}" '
                    f'sheetId="{sheet_id}" r:id="{rid}"/>'
                )
        parts = summary_parts(summary, name, xfs, "rId1")
        if index in renewed:
            replaced[sheet_part] = parts.xml
        else:
            added.append((sheet_part, parts.xml))
        if parts.chart is not None:
            drawing_part = fresh_name(names, "xl/drawings/drawing{}.xml")
            chart_part = fresh_name(names, "xl/charts/chart{}.xml")
            added.append((drawing_part, drawing_xml(parts.anchor, "rId1")))
            added.append(
                (
                    rels_part(drawing_part),
                    rels_xml(None, [("rId1", RT_CHART, rel_target(drawing_part, chart_part))]),
                )
            )
            added.append((chart_part, load_chart_template().render(**parts.chart)))
            added.append(
                (
                    rels_part(sheet_part),
                    rels_xml(None, [("rId1", RT_DRAWING, rel_target(sheet_part, drawing_part))]),
                )
            )
            overrides[drawing_part] = CT_DRAWING
            overrides[chart_part] = CT_CHART
        new_names += (f'<{p}definedName name="{OWN_SHEET_MARK}" localSheetId="{index}" '
                      f'hidden="1">{esc_formula(quote_text(summary.name))}</{p}definedName>')
        if parts.filter_ref:  # Excel keeps an autofilter's range in a hidden defined name
            absolute = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", parts.filter_ref)
            new_names += (
                f'<{p}definedName name="_xlnm._FilterDatabase" '
                f'localSheetId="{index}" hidden="1">'
                f"{esc_formula(quote_sheet(name))}!{absolute}</{p}definedName>"
            )
    if renewed:
        dropped |= owned_parts(pkg, set(renewed.values()))
        workbook_xml = drop_sheet_names(workbook_xml, p, set(renewed))
    if sheet_elements:
        workbook_xml = append_children(workbook_xml, p, "sheets", sheet_elements)
    if new_names:
        workbook_xml = add_defined_names(workbook_xml, p, new_names)
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
            vba_rels = pkg.real(rels_part(part))
            if vba_rels:  # e.g. the project's digital signature
                dropped.add(vba_rels)
                for rel in parse_rels(pkg.text(vba_rels), part):
                    if not rel.external and pkg.real(rel.target):
                        dropped.add(pkg.real(rel.target) or "")
    if macro is not None:
        old, new = (CT_MAIN, CT_MAIN_MACRO) if macro else (CT_MAIN_MACRO, CT_MAIN)
        content_types = retype_part(content_types, pkg.workbook_part, old, new)
    if dropped:
        content_types = drop_overrides(content_types, dropped)

    if wb_rels_new or wb_rels_dropped:
        xml = pkg.workbook_rels_xml
        if wb_rels_dropped and xml is not None:
            xml = drop_rels(xml, wb_rels_dropped)
        if wb_rels_new:
            xml = rels_xml(xml, wb_rels_new)
        assert xml is not None
        if pkg.workbook_rels_xml is None:
            added.append((pkg.workbook_rels_part, xml))
        else:
            replaced[pkg.real(pkg.workbook_rels_part) or pkg.workbook_rels_part] = xml
    if sheet_rels_new:
        xml = rels_xml(pkg.sheet_rels_xml, sheet_rels_new)
        if pkg.sheet_rels_xml is None:
            added.append((pkg.sheet_rels_part, xml))
        else:
            replaced[pkg.sheet_rels_part] = xml
    ct_part = pkg.real("[Content_Types].xml") or "[Content_Types].xml"
    replaced[ct_part] = add_content_types(content_types, defaults, overrides)

    rewriter = SheetRewriter(
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
                new = copy_info(info)
                new.compress_type = zipfile.ZIP_DEFLATED
                # the big part: fast deflate (level 1 costs ~25% more bytes, a third of
                # the time); ZipInfo has no public setter before Python 3.13
                new._compresslevel = 1  # type: ignore[attr-defined]
                big = info.file_size > (1 << 30)
                with (zin.open(info) as src, zout.open(new, "w", force_zip64=big) as dst,
                      Prefetch(src) as ahead, WriteBehind(dst.write) as behind):
                    rewriter.rewrite(ahead, behind.write)
            elif name == styles_part:
                continue  # written last: marks add styles while the sheet streams
            elif name in replaced:
                zout.writestr(copy_info(info), replaced[name].encode("utf-8"))
            else:
                copy_member(zin, info, zout)
        zout.writestr(
            copy_info(zin.getinfo(styles_part)) if pkg.styles_part else new_info(styles_part),
            styles.render().encode("utf-8"),
        )
        for name, text in added:
            write_text(zout, new_info(name), text)



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
    plan = make_plan(header_row, status_headers, status_rows, marks, values)
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


def _annotate_into(src_p: Path, tmp: str, sheet_name: str, plan: Plan,
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
            pkg = SourcePackage(zin, sheet_name)
        except (ET.ParseError, UnicodeDecodeError, zipfile.BadZipFile, KeyError) as exc:
            raise WorkbookPackageError("Tệp Excel bị hỏng, không đọc được.") from exc
        has_vml = any(r.type == RT_VML and not r.external for r in pkg.sheet_rels)
        info = peek_sheet(zin, pkg.sheet_part, need_tail=has_vml)
        pkg.set_legacy_drawing(info.legacy_drawing_rid)
        extent = (info.max_col, info.max_row)
        if first_status_col is not None:
            first_col, check = first_status_col, False
        elif info.dim_reliable:
            first_col, check = info.max_col + 1, True
        else:
            extent = scan_extent(zin, pkg.sheet_part, info.prefix)
            first_col, check = extent[0] + 1, False
        if first_status_col is None:
            first_col = max(first_col, plan.max_value_col + 1)
        if first_col + len(plan.headers) > MAX_COL:
            raise WorkbookPackageError(
                f"Trang tính «{sheet_name}» dùng đến cột cuối cùng (có ô ở cột "
                f"{col_letter(max(extent[0], first_col - 1))}), không còn cột trống để ghi "
                "kết quả kiểm tra. Hãy xóa các cột thừa bên phải danh sách (Ctrl+End để tìm ô "
                "cuối), lưu lại rồi chạy lại.", code=E.SHEET_TOO_LARGE)
        args = (zin, pkg, tmp, plan, summaries)
        try:
            write_package(*args, first_col, check, info, extent, macro)
        except Collision:  # <dimension> was wrong: measure the sheet and start again
            extent = scan_extent(zin, pkg.sheet_part, info.prefix)
            first_col = max(first_col, extent[0] + 1)
            write_package(*args, first_col, False, info, extent, macro)

