"""The :class:`Table` type and the reader's entry points.

:func:`read_table` ties the steps together (sniff the file, open its sheets as row
sources, find the header, read the records up to the end of the list, look up legacy
fonts); :func:`table_from_rows` does the same on rows already in memory (an open Excel
sheet); :func:`iter_sheet_rows`, :func:`read_sheets` and :func:`sheet_names` give whole
sheets for faithful copies and for reading back the workbooks this tool wrote.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.core.model import FIELDS, DoseLayout
from vaxclean_xl.core.perf import gc_paused
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.io.reader.doses import find_doses, group_persons
from vaxclean_xl.io.reader.end import read_records
from vaxclean_xl.io.reader.extent import check_extent
from vaxclean_xl.io.reader.fonts import name_fonts
from vaxclean_xl.io.reader.headers import (
    MapSpec,
    Scan,
    apply_mapping,
    err_no_header,
    is_numbering_token,
    normalize_header,
    parse_mapping,
    scan_sheet,
)
from vaxclean_xl.io.reader.sniff import err_empty, sniff
from vaxclean_xl.io.reader.sources import (
    NFC,
    Source,
    blank,
    calamine_source,
    csv_source,
    library_errors,
    open_workbook,
)
from vaxclean_xl.notices import notify


@dataclass(slots=True)
class Table:
    """One list as read: where it is, which column holds which field, and its record rows."""

    path: Path
    sheet: str
    header_row: int  # Excel row number (1-based) of the (last) header row
    first_data_row: int  # Excel row number of the first record
    last_data_row: int  # Excel row number of the last record
    columns: dict[str, int]  # field -> 0-based column index (A=0), only fields found
    headers: dict[int, str]  # 0-based column index -> header text as shown
    rows: list[tuple[int, list]]  # (Excel row, full row values) for every record row only
    max_col: int  # 0-based index of the last used column of the sheet
    name_fonts: dict[int, str] = field(default_factory=dict)  # legacy-font workbooks only
    source_format: str = "xlsx"  # "xlsx", "xlsm", "xls", "csv", "ods"
    dose_layout: DoseLayout | None = None  # the dose columns; None when the list has none
    # One-row-per-dose lists: a person's first row -> all of the person's rows (row, values);
    # ``rows`` then holds each person's first row only. Empty for other layouts.
    person_rows: dict[int, list[tuple[int, list]]] = field(default_factory=dict)


def _pick_sheet_name(names: list[str], wanted: str) -> str | None:
    if wanted in names:
        return wanted
    key = NFC(wanted).strip().casefold()
    hits = [n for n in names if NFC(n).strip().casefold() == key]
    return hits[0] if len(hits) == 1 else None


def read_table(
    path: str | Path, sheet: str | None = None, mapping: dict[str, str] | None = None
) -> Table:
    """Read the vaccination list of ``path`` (see :mod:`vaxclean_xl.io.reader` for the layouts
    it copes with and :mod:`vaxclean_xl.io.reader.headers` for the ``mapping`` rules).

    ``sheet`` picks a sheet by name (default: the visible worksheet whose header matches
    the most fields); ``mapping`` is ``field -> column letter or header text``.
    Raises :class:`InputError` (codes E101–E109) for any unusable input.
    """
    path = Path(path)
    kind = sniff(path)
    specs = parse_mapping(mapping)

    best: Scan | None = None
    has_data = False
    too_large: InputError | None = None
    if kind.fmt == "csv":
        with gc_paused():
            src = csv_source(path)
        if src is None:
            raise err_empty(path)
        scan = scan_sheet(src, specs)
        has_data = scan.has_data
        best = scan if scan.header else None
    else:
        with library_errors(path):
            from python_calamine import SheetTypeEnum, SheetVisibleEnum

            workbook = open_workbook(path, kind.fmt)
            if sheet is not None:
                name = _pick_sheet_name(list(workbook.sheet_names), sheet)
                if name is None:
                    available = ", ".join(f"«{n}»" for n in workbook.sheet_names)
                    raise InputError(
                        f"Không có trang tính «{sheet}» trong tệp; các trang có: {available}.",
                        code=E.NO_SUCH_SHEET,
                    )
                candidates = [name]
            else:
                candidates = [
                    m.name
                    for m in workbook.sheets_metadata
                    if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
                ]
            lists: list[str] = []  # sheets holding a header with records under it
            for name in candidates:
                try:
                    check_extent(path, kind.fmt, name)
                except InputError as exc:  # a stray far cell: fatal for the sheet asked
                    if sheet is not None:    # for, another sheet may still hold the list
                        raise
                    too_large = too_large or exc
                    notify(f"Bỏ qua trang «{name}»: {exc.message}")
                    continue
                src = calamine_source(workbook.get_sheet_by_name(name), name)
                if src is None:
                    continue
                scan = scan_sheet(src, specs)
                has_data = has_data or scan.has_data
                if scan.header and _has_records(scan):
                    lists.append(name)
                if scan.header and (best is None or scan.header.score > best.header.score):
                    best = scan
    if best is None or best.header is None:
        if too_large is not None:
            raise too_large
        if not has_data:
            raise err_empty(path)
        raise err_no_header()
    if sheet is None and kind.fmt != "csv":
        _notice_other_lists(path, best, [n for n in lists if n != best.src.name])

    table = _table(best, specs, path, kind.fmt)
    if kind.legacy_fonts and kind.fmt in ("xlsx", "xlsm") and "full_name" in table.columns:
        table.name_fonts = name_fonts(path, table.sheet, table.columns["full_name"], table.rows)
    return table


def _has_records(scan: Scan) -> bool:
    """A name under the header within the rows read so far: the sheet holds a list."""
    assert scan.header is not None
    col = scan.header.columns.get("full_name", -1) - scan.src.col_off
    return 0 <= col < scan.src.width and any(
        not blank(row[col]) and not is_numbering_token(row[col])
        for _n, row in scan.window[scan.header.pos + 1:])


def _notice_other_lists(path: Path, best: Scan, others: list[str]) -> None:
    """Tell the user which other sheets also hold a list and how to read one of them.

    Silent on a workbook this tool wrote (its list carries the "Phân loại" status column):
    its other sheets are the tool's own reports ("Bổ sung từ thôn"…), not lists to choose.
    """
    if not others or best.header is None:
        return
    from vaxclean_xl.core.presentation import STATUS_HEADERS

    status = normalize_header(STATUS_HEADERS[0])
    if any(normalize_header(t) == status for t in best.header.texts.values()):
        return
    names = ", ".join(f"«{n}»" for n in others)
    notify(f"Tệp «{path.name}»: đã đọc danh sách ở trang «{best.src.name}»; "
           f"{'trang' if len(others) == 1 else 'các trang'} {names} cũng có danh sách nhưng "
           f'không được đọc. Muốn đọc trang khác, thêm --sheet "{others[0]}".')


def table_from_rows(rows: list[list], *, top: int, left: int, max_col: int, sheet: str,
                    path: str | Path = "") -> Table:
    """The list in rows already in memory (an open Excel sheet's values: ``rows[0]`` is
    Excel row ``top``, element 0 of each row column ``left``, both 1-based), found exactly as
    :func:`read_table` finds it in a file. Raises :class:`InputError` (E106) without a
    header."""
    width = max((len(r) for r in rows), default=0)
    src = Source(name=sheet, rows=enumerate(rows, top), col_off=left - 1, width=width,
                  max_col=max_col, merges=None)
    scan = scan_sheet(src, [])
    if scan.header is None:
        raise err_no_header()
    return _table(scan, [], Path(path) if path else Path(sheet), "xlsx")


def _table(scan: Scan, specs: list[MapSpec], path: Path, fmt: str) -> Table:
    """The Table of a scan whose header was found: columns mapped, records read."""
    header = scan.header
    assert header is not None
    columns = apply_mapping(header.columns, header.texts, specs, scan.src.max_col, strict=True)
    assert columns is not None
    layout = find_doses(header.texts, header.groups, columns.values())
    with library_errors(path), gc_paused():
        continued = tuple(layout.long.values()) if layout is not None else ()
        data_start, records = read_records(scan, header, columns, continued)
        first_row = records[0][0] if records else data_start
        last_row = records[-1][0] if records else data_start - 1
        persons: dict[int, list[tuple[int, list]]] = {}
        if layout is not None and layout.long:
            records, persons = group_persons(records, columns)
    return Table(
        path=path,
        sheet=scan.src.name,
        header_row=scan.window[header.pos][0],
        first_data_row=first_row,
        last_data_row=last_row,
        columns=dict(sorted(columns.items(), key=lambda kv: FIELDS.index(kv[0]))),
        headers=dict(sorted(header.texts.items())),
        rows=records,
        max_col=scan.src.max_col,
        name_fonts={},
        source_format=fmt,
        dose_layout=layout,
        person_rows=persons,
    )


def iter_sheet_rows(path: str | Path, sheet: str) -> Iterator[tuple[int, list]]:
    """Every row of one sheet as (Excel row number, values from column A), titles and
    footers included: what a faithful .xlsx copy of an .xls/.ods/.csv input needs."""
    path = Path(path)
    kind = sniff(path)
    if kind.fmt == "csv":
        src = csv_source(path)
    else:
        with library_errors(path):
            check_extent(path, kind.fmt, sheet)
            workbook = open_workbook(path, kind.fmt)
            src = calamine_source(workbook.get_sheet_by_name(sheet), sheet)
    if src is None:
        return
    pad = [""] * src.col_off
    for row_no, values in src.rows:
        yield row_no, (pad + list(values)) if pad else list(values)


def read_sheets(path: str | Path) -> dict[str, list[tuple[int, list]]]:
    """Every sheet of a workbook, each as :func:`iter_sheet_rows` gives it, the file opened
    once (a returned hamlet file or police list is looked at whole)."""
    path = Path(path)
    kind = sniff(path)
    if kind.fmt == "csv":
        return {path.stem: list(iter_sheet_rows(path, path.stem))}
    out: dict[str, list[tuple[int, list]]] = {}
    with library_errors(path), gc_paused():
        workbook = open_workbook(path, kind.fmt)
        for name in workbook.sheet_names:
            check_extent(path, kind.fmt, name)
            src = calamine_source(workbook.get_sheet_by_name(name), name)
            if src is None:
                out[name] = []
                continue
            pad = [""] * src.col_off
            out[name] = ([(n, pad + list(v)) for n, v in src.rows] if pad
                         else [(n, v if v.__class__ is list else list(v)) for n, v in src.rows])
    return out


def sheet_names(path: str | Path) -> list[str]:
    """Sheet names of a workbook; a misnamed file is sniffed by its content."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:  # misnamed file: let calamine sniff the content
        with path.open("rb") as fh:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    return list(wb.sheet_names)
