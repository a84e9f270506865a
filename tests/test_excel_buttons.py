"""The Excel buttons against the REAL xlwings API, through xlwings' remote engine.

``xw.Book(json=payload)`` builds a book from the JSON a VBA/Office.js client sends; every
write the button makes becomes an action in ``book.json()`` (``setValues``,
``setRangeColor(s)``, ``alert``...), which is what Excel would be asked to do. So these
tests see the exact calls a click makes, count them (target: at most 50 for 10,000 bad
cells), and check that what is written equals what ``vaxclean validate`` writes for the
same list. The Windows-only fast paths (marker block + SpecialCells, SpreadsheetML
reading) are exercised on a recording fake of Excel's COM objects at the end.
"""

from __future__ import annotations

import datetime as _dt
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw

from vaxclean_xl.commands.common import validate_table
from vaxclean_xl.core.presentation import DOSE_STATUS_HEADER, STATUS_HEADERS, status_cells
from vaxclean_xl.core.validate import Validation
from vaxclean_xl.excel import buttons, dispatch, marks, paint, registry
from vaxclean_xl.excel.paint import COLOURS, HEADER_COLOUR
from vaxclean_xl.excel.sheet import Grid, locate_list
from vaxclean_xl.excel.ui import Ui
from vaxclean_xl.formats.annotated_list import cell_marks
from vaxclean_xl.io.reader import read_table
from vaxclean_xl.sample import generate_sample

TODAY = _dt.date(2026, 1, 1)
SHEET = "Danh sách"
ERROR, WARNING, FIXED = (COLOURS[k] for k in ("error", "warning", "fixed"))


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def remote_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The remote engine needs a licence key (set for these tests only); logs go to the
    test's folder.

    xlwings registers its engines when it is first imported; if another test module
    imported it before the key was set, the remote engine is added here and removed
    again afterwards, so no other test sees it.
    """
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    monkeypatch.setenv("VAXCLEAN_LOG_DIR", str(tmp_path / "logs"))
    added = None
    if "remote" not in xw.engines.engines_by_name:
        from xlwings.pro import _xlremote

        added = xw.Engine(impl=_xlremote.engine)
        xw.engines.add(added)
    yield
    if added is not None:
        xw.engines.engines.remove(added)
        xw.engines.engines_by_name.pop("remote", None)


def _json_value(value: Any) -> Any:
    """A cell as the VBA/Office.js client sends it: "" empty, dates as ISO with Z."""
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, _dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    return value


def payload(values: list[list[Any]], *, name: str = "ds.xlsx", selection: str = "A1"
            ) -> dict[str, Any]:
    width = max(len(r) for r in values)
    rows = [[_json_value(v) for v in r] + [""] * (width - len(r)) for r in values]
    return {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": selection},
        "names": [],
        "sheets": [{"name": SHEET, "values": rows, "pictures": [], "tables": []}],
    }


def actions(book: xw.Book) -> list[dict[str, Any]]:
    return book.json()["actions"]


def funcs(book: xw.Book) -> Counter:
    return Counter(a["func"] for a in actions(book))


def painted(acts: list[dict[str, Any]]) -> dict[tuple[int, int], str | None]:
    """Cell (1-based) -> fill after replaying the colour actions (None = no fill)."""
    fills: dict[tuple[int, int], str | None] = {}
    for a in acts:
        r0, c0 = a["start_row"] + 1 if a["start_row"] is not None else 0, a["start_column"]
        if a["func"] == "setRangeColor":
            colour = a["args"][0]
            for i in range(a["row_count"]):
                for j in range(a["column_count"]):
                    fills[(r0 + i, c0 + 1 + j)] = colour.upper() if colour else None
        elif a["func"] == "setRangeColors":
            for i, row in enumerate(a["args"][0]):
                for j, colour in enumerate(row):
                    if colour != "keep":
                        fills[(r0 + i, c0 + 1 + j)] = colour.upper() if colour else None
    return fills


def replay_values(data: dict[str, Any], acts: list[dict[str, Any]]) -> dict[str, Any]:
    """The payload Excel would send after these actions (values only)."""
    values = data["sheets"][0]["values"]
    for a in acts:
        if a["func"] in ("setValues", "rangeClear", "rangeClearContents"):
            r0, c0 = a["start_row"], a["start_column"]
            block = a["values"] if a["func"] == "setValues" else [
                [""] * a["column_count"] for _ in range(a["row_count"])]
            width = max(len(values[0]), c0 + len(block[0]))
            while len(values) < r0 + len(block):
                values.append([""] * width)
            for row in values:
                row.extend([""] * (width - len(row)))
            for i, brow in enumerate(block):
                for j, v in enumerate(brow):
                    values[r0 + i][c0 + j] = _json_value(v) if v is not None else ""
    return data


def alerts(book: xw.Book) -> list[str]:
    return [a["args"][0] for a in actions(book) if a["func"] == "alert"]


def expected_fills(table: Any, result: Validation) -> dict[tuple[int, int], str]:
    return {(m.row, m.col + 1): COLOURS[m.severity] for m in cell_marks(table, result)}


# --------------------------------------------------------------------------- lists


@pytest.fixture(scope="module")
def sample_10k(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[Any]]]:
    """A realistic 10,000-person commune list (titles, numbering row, footer, errors)."""
    from python_calamine import CalamineWorkbook

    path = tmp_path_factory.mktemp("s10k") / "danh-sach.xlsx"
    generate_sample(path, rows=10_000, seed=7)
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python()
    return path, [[None if v == "" else v for v in row] for row in values]


def small_list() -> list[list[Any]]:
    """Eight people with known problems (rows 4-11; header in row 3)."""
    d = _dt.datetime
    return [
        ["DANH SÁCH ĐỐI TƯỢNG ĐÃ TIÊM VẮC XIN COVID-19", None, None, None, None, None, None],
        [None] * 7,
        ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND", "Số điện thoại",
         "Thôn/Xóm"],
        [1, "Nguyễn Văn An", d(1985, 3, 12), "Nam", "001085012345", "0912345678", "Thôn 1"],
        [2, "Trần  Thị Bình", d(1990, 7, 5), "Nữ", 1190012346.0, "01688123456", "Thôn 1"],
        [3, "Lê Văn Cường", d(1978, 1, 20), "x", "034078012347", "0987654321", "Thôn 2"],
        [4, "Phạm Thị Dung", d(2001, 11, 2), "Nữ", None, "0978123456", "Thôn 2"],
        [5, "hoàng văn em", d(1965, 5, 5), "Nam", 36065012349.0, "912345679", "Thôn 3"],
        [6, "Vũ Thị Gấm", "31/02/1970", "Nữ", "036170012350", "0903123456", None],
        [7, "Đỗ Thị Hoa", d(1985, 8, 9), "Nữ", "001085012399", "0911222333", "Thôn 3"],
        [8, "Bùi Văn Khánh", d(1992, 4, 1), "Nam", "001092012388", "0911222444", "Thôn 1"],
    ]


def remote(values: list[list[Any]], **kw: Any) -> xw.Book:
    return xw.Book(json=payload(values, **kw))


def small_validation(values: list[list[Any]]) -> tuple[Any, Validation]:
    found = locate_list(Grid(1, 1, [list(r) for r in values]), sheet_name=SHEET)
    return found, validate_table(found.table, TODAY)


# --------------------------------------------------------------------------- reading


def test_live_sheet_is_read_like_the_file(sample_10k) -> None:
    """Header, columns and records found on the live values == the file reader's."""
    path, values = sample_10k
    found = locate_list(Grid(1, 1, [list(r) for r in values]), sheet_name=SHEET, path=path)
    table = read_table(path)
    for attr in ("header_row", "first_data_row", "last_data_row", "columns", "headers",
                 "max_col"):
        assert getattr(found.table, attr) == getattr(table, attr), attr
    def blanks_as_none(rows: list) -> list:  # Excel gives None where calamine gives ""
        return [(n, [None if v == "" else v for v in r]) for n, r in rows]

    assert blanks_as_none(found.table.rows) == blanks_as_none(table.rows)
    assert found.status_col == table.max_col + 2 and not found.status_found


def test_used_range_not_at_a1_keeps_excel_coordinates() -> None:
    values = small_list()
    grid = Grid(3, 2, [r[:] for r in values[2:]])  # the used range starts at B3
    found = locate_list(grid, sheet_name=SHEET)
    assert found.table.header_row == 3
    assert found.table.columns["full_name"] == 2  # column C (0-based 2)
    assert found.status_col == 2 + 7  # B..H used, status from I


def test_no_header_is_a_vietnamese_error() -> None:
    book = remote([["a", "b"], [1, 2]])
    ui = Ui(book)
    assert dispatch.run_on(book, registry.button("validate"), ui) == dispatch.FAILED
    [(kind, text)] = ui.messages
    assert kind == "error" and "tiêu đề" in text
    assert "Traceback" not in text


# --------------------------------------------------------------------------- validate


def test_validate_10k_writes_what_the_cli_writes(sample_10k) -> None:
    path, values = sample_10k
    book = remote(values)
    out = buttons.validate_sheet(book, today=TODAY)
    acts = actions(book)

    # what validate_file does: read_table + validate_table (it then drops the rows)
    table = read_table(path)
    result = validate_table(table, TODAY)
    # The remote engine cannot tell cell fonts, so names typed in TCVN3/VNI that only
    # their legacy font gives away (NAME004/NAME005 with a font hint) are not comparable
    # there; on Excel the name column's font is read (tested with a COM fake below).
    import dataclasses

    fontless = validate_table(dataclasses.replace(table, name_fonts={}), TODAY)
    font_rows = {a.row for a, b in zip(result.records, fontless.records, strict=True)
                 if status_cells(a) != status_cells(b)}
    assert 0 < len(font_rows) <= 10
    assert out.records == 10_000

    [block] = [a for a in acts if a["func"] == "setValues"]
    assert (block["start_row"] + 1, block["start_column"] + 1) == (table.header_row,
                                                                    table.max_col + 2)
    rows = block["values"]
    assert table.dose_layout  # the sample carries histories: "Mũi tiêm" as the CLI writes it
    assert rows[0] == [*STATUS_HEADERS, DOSE_STATUS_HEADER]
    want = {rec.row: status_cells(rec, True) for rec in result.records}
    for i, row in enumerate(rows[1:], table.header_row + 1):
        if i not in font_rows:
            assert row == want.get(i, ["", "", "", ""]), i

    fills = {c: v for c, v in painted(acts).items() if c[0] not in font_rows}
    header = {(table.header_row, table.max_col + 2 + k): HEADER_COLOUR for k in range(4)}
    assert fills == {c: v for c, v in expected_fills(table, result).items()
                     if c[0] not in font_rows} | header
    assert set(fills.values()) == {ERROR, WARNING, HEADER_COLOUR}
    assert len(acts) <= 50, Counter(a["func"] for a in acts)
    assert alerts(book) and "10.000" in alerts(book)[0]


def test_validate_10000_bad_cells_in_at_most_50_actions(sample_10k) -> None:
    """Every person gets a bad sex cell on top of the sample's own errors."""
    _path, values = sample_10k
    values = [list(r) for r in values]
    found = locate_list(Grid(1, 1, values), sheet_name=SHEET)
    sex = found.table.columns["sex"]
    for row, _cells in found.table.rows:
        values[row - 1][sex] = "x"
    book = remote(values)
    out = buttons.validate_sheet(book, today=TODAY)
    acts = actions(book)
    assert out.flagged >= 10_000
    assert len(acts) <= 50, Counter(a["func"] for a in acts)
    assert sum(1 for a in acts if a["func"] == "setValues") == 1
    found2, result = small_validation(values)
    fills = painted(acts)
    for cell, colour in expected_fills(found2.table, result).items():
        assert fills[cell] == colour
    print(f"\n10k+ flagged cells: {out.flagged}, actions: {len(acts)} "
          f"{dict(Counter(a['func'] for a in acts))}")


def test_remote_engine_misreads_multi_area_addresses() -> None:
    """Why the remote path never uses "A1,C3": the engine colours A1 only, silently."""
    book = remote([["a", "b", "c"], [1, 2, 3], [4, 5, 6]])
    book.sheets[0].range("A1,C3").color = "#FF0000"
    [act] = actions(book)
    assert (act["row_count"], act["column_count"]) == (1, 1)


def test_small_list_marks_notes_and_status() -> None:
    values = small_list()
    book = remote(values)
    out = buttons.validate_sheet(book, today=TODAY)
    found, result = small_validation(values)
    fills = painted(actions(book))
    want = expected_fills(found.table, result)
    assert {c: v for c, v in fills.items() if c[0] > 3} == want
    assert fills[(6, 4)] == ERROR  # Lê Văn Cường: "x" in Giới tính (column D)
    assert fills[(10, 4)] == ERROR and fills[(10, 5)] == ERROR  # ID101 blames sex too
    assert out.notes == 0  # the remote VBA client cannot add notes: status columns say it
    plan = marks.plan_marks(found, result)
    assert len(plan.notes) == len(want)  # few cells: on Excel each gets a note
    assert all(paint.is_tool_note(t) for t in plan.notes.values())
    assert len(actions(book)) <= 8


def test_notes_only_when_few(sample_10k) -> None:
    values = small_list()
    found, result = small_validation(values)
    assert marks.plan_marks(found, result, notes_limit=3).notes == {}
    assert marks.plan_marks(found, result, notes_limit=200).notes


def test_rerun_removes_marks_that_no_longer_apply() -> None:
    values = small_list()
    first = remote(values)
    buttons.validate_sheet(first, today=TODAY)
    data = replay_values(payload(values), actions(first))
    data["sheets"][0]["values"][5][3] = "Nam"  # row 6: the user fixed "x"
    second = xw.Book(json=data)
    out = buttons.validate_sheet(second, today=TODAY)
    fills = painted(actions(second))
    assert fills[(6, 4)] is None  # the old red is removed
    assert out.cleared == 1
    [block] = [a for a in actions(second) if a["func"] == "setValues"]
    assert block["values"][6 - 3] == ["Đúng", "", ""]


# --------------------------------------------------------------------------- clear marks


def test_clear_marks_removes_only_the_tools_marks() -> None:
    values = small_list()
    first = remote(values)
    buttons.validate_sheet(first, today=TODAY)
    marked = {c for c, v in painted(actions(first)).items() if v in (ERROR, WARNING)}
    data = replay_values(payload(values), actions(first))
    data["sheets"][0]["values"][0].append("Ghi chú riêng")  # a user's cell right of titles
    book = xw.Book(json=data)
    out = buttons.clear_marks(book)
    acts = actions(book)
    fills = painted(acts)
    assert set(fills) == marked and set(fills.values()) == {None}
    [clear] = [a for a in acts if a["func"] == "rangeClear"]
    assert (clear["start_row"] + 1, clear["start_column"] + 1) == (3, 8)
    assert (clear["row_count"], clear["column_count"]) == (11 - 3 + 1, 3)
    assert not [a for a in acts if a["func"] == "setValues"]  # no user value touched
    assert out.cleared == len(marked)
    assert len(acts) <= 5
    assert "ba cột" in alerts(book)[-1]


def test_clear_marks_on_a_clean_sheet_says_so() -> None:
    book = remote(small_list())
    buttons.clear_marks(book)
    assert funcs(book) == Counter({"alert": 1})


def test_status_trio_is_needed_to_count_as_tool_columns() -> None:
    values = small_list()
    values[2] = values[2] + ["Lỗi"]  # a user's own "Lỗi" column
    for row in values[3:]:
        row.append("ghi chú của tôi")
    values[0].append(None)
    values[1].append(None)
    found = locate_list(Grid(1, 1, values), sheet_name=SHEET)
    assert not found.status_found and found.status_col == 9


# --------------------------------------------------------------------------- apply fixes


def test_apply_fixes_to_selected_rows_only() -> None:
    values = small_list()
    book = remote(values, selection="B5:C5")  # row 5: Trần  Thị Bình
    out = buttons.apply_fixes(book, today=TODAY)
    acts = actions(book)
    writes = [a for a in acts if a["func"] == "setValues"]
    cells = {(a["start_row"] + 1, a["start_column"] + 1): a["values"] for a in writes
             if a["start_column"] < 7}
    assert cells == {(5, 2): [["Trần Thị Bình"]], (5, 5): [["001190012346"]],
                     (5, 6): [["0388123456"]]}
    # digit strings go into Text cells first, so no leading zero is lost
    for col in (5, 6):
        i = next(i for i, a in enumerate(acts) if a["func"] == "setValues"
                 and a["start_column"] + 1 == col)
        assert acts[i - 1]["func"] == "setNumberFormat" and acts[i - 1]["args"] == ["@"]
    fills = painted(acts)
    assert fills[(5, 2)] == FIXED and fills[(5, 5)] == FIXED and fills[(5, 6)] == FIXED
    assert fills[(8, 5)] == ERROR  # row 8 has fixes too but was not selected
    [status] = [a for a in writes if a["start_column"] == 7]
    assert status["values"][5 - 3][0] == "Đúng"
    assert status["values"][5 - 3][2].startswith(
        "Đã sửa: Họ và tên «Trần  Thị Bình» → «Trần Thị Bình»; Số CCCD/CMND «1190012346» → "
        "«001190012346»")
    assert out.fixes == 3
    assert len(acts) <= 15


def test_apply_fixes_whole_columns_selected_means_every_row() -> None:
    book = remote(small_list(), selection="A:G")
    out = buttons.apply_fixes(book, today=TODAY)
    assert out.fixes == 6  # rows 5 and 8: name, ID, phone each


def test_apply_fixes_outside_the_list_asks_for_a_selection() -> None:
    book = remote(small_list(), selection="A1")
    out = buttons.apply_fixes(book, today=TODAY)
    assert out.fixes == 0
    assert funcs(book) == Counter({"alert": 1})
    assert "bôi đen" in alerts(book)[0]


def test_clear_marks_after_fixes_also_removes_green() -> None:
    values = small_list()
    book = remote(values, selection="B5")
    buttons.apply_fixes(book, today=TODAY)
    data = replay_values(payload(values), actions(book))
    cleared = xw.Book(json=data)
    buttons.clear_marks(cleared)
    fills = painted(actions(cleared))
    assert fills[(5, 2)] is None and fills[(5, 5)] is None


def test_selected_rows_parsing() -> None:
    assert marks.selected_rows("$A$3:$F$5,$A$9:$F$9") == {3, 4, 5, 9}
    assert marks.selected_rows("$3:$4") == {3, 4}
    assert marks.selected_rows("$B:$B") is None
    assert marks.selected_rows("B7") == {7}
    assert marks.selected_rows(None) == set()


def test_blamed_cells_come_from_the_catalogue() -> None:
    """The cells a finding blames besides its own field are the rule's (catalogue), so the
    marks an earlier run left (read back from its status codes) are the cells it coloured."""
    from vaxclean_xl.core.catalogue import all_rules
    from vaxclean_xl.core.validate import validate_rows

    assert {r.code: r.also for r in all_rules() if r.also} == {"ID101": ("sex",),
                                                                 "ID102": ("dob",)}
    cols = {"full_name": 0, "dob": 1, "sex": 2, "id_number": 3}
    result = validate_rows([(5, ["Lê Văn An", "01/01/1991", "Nữ", "001090123456"])], cols)
    also = {f.code: f.also for f in result.records[0].findings}
    assert also["ID101"] == ("sex",) and also["ID102"] == ("dob",)


# --------------------------------------------------------------------------- dispatch


@pytest.fixture
def caller(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Make ``xw.Book.caller()`` return a remote book (what RunPython would give)."""
    holder: dict[str, xw.Book] = {}

    def set_book(book: xw.Book) -> xw.Book:
        monkeypatch.setattr(xw.Book, "_mock_caller", book, raising=False)
        holder["book"] = book
        return book

    yield set_book


def test_dispatch_runs_a_button_on_the_caller(caller) -> None:
    book = caller(remote(small_list()))
    assert dispatch.run("validate") == dispatch.OK
    assert funcs(book)["setValues"] == 1 and alerts(book)


def test_dispatch_crash_shows_log_path_and_logs_no_personal_data(
        caller, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    book = caller(remote(small_list()))

    def boom(book: Any, ui: Any = None) -> None:
        raise ValueError("Nguyễn Văn An 001085012345")

    monkeypatch.setattr(buttons, "validate_sheet", boom)
    assert dispatch.run("validate") == dispatch.FAILED
    [text] = alerts(book)
    log = tmp_path / "logs" / "vaxclean.log"
    assert str(log) in text and "ValueError" in text
    assert "Traceback" not in text and "Nguyễn" not in text
    logged = log.read_text(encoding="utf-8")
    assert "CRASH" in logged and "Nguyễn" not in logged and "001085012345" not in logged


def test_dispatch_reports_a_command_not_written_yet(caller, monkeypatch) -> None:
    import dataclasses

    book = caller(remote(small_list()))
    btn = dataclasses.replace(registry.button("police"),
                              command="vaxclean_xl.commands.not_written_yet:police_list")
    monkeypatch.setitem(registry._BY_ID, "police", btn)
    assert dispatch.run("police") == dispatch.FAILED
    [text] = alerts(book)
    assert "chưa có" in text and "Danh sách Công an" in text


def test_dispatch_without_excel_is_a_message(capsys) -> None:
    assert dispatch.run("validate") == dispatch.FAILED  # no caller: not started by Excel
    err = capsys.readouterr().err
    assert "Excel" in err and "Traceback" not in err


# --------------------------------------------------------------------------- file buttons


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "ds.xlsx"
    generate_sample(path, rows=120, seed=3)
    return path


def test_file_buttons_need_a_saved_file() -> None:
    book = remote(small_list(), name="Book1")
    ui = Ui(book)
    assert dispatch.run_on(book, registry.button("split"), ui) == dispatch.FAILED
    assert "lưu" in ui.messages[0][1]


def test_split_and_merge_buttons_call_the_library(small_file: Path, tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    values = CalamineWorkbook.from_path(str(small_file)).get_sheet_by_name(SHEET).to_python()
    book = remote([[None if v == "" else v for v in r] for r in values], name=str(small_file))
    outdir = tmp_path / "gui-thon"
    split = buttons.split_hamlets(book, outdir=outdir)
    assert split.files and all(f.path.parent == outdir for f in split.files)
    assert "Đã tạo" in alerts(book)[-1]
    merged = buttons.merge_returns(book, files=[outdir])
    assert merged.output.is_file()
    assert "Đã gộp" in alerts(book)[-1]


def test_progress_button_reads_the_outputs_beside_the_list(small_file: Path) -> None:
    from python_calamine import CalamineWorkbook

    values = CalamineWorkbook.from_path(str(small_file)).get_sheet_by_name(SHEET).to_python()
    book = remote([[None if v == "" else v for v in r] for r in values], name=str(small_file))
    buttons.split_hamlets(book, outdir=small_file.parent / "gui-thon")
    outcome = buttons.progress(book)
    assert outcome.output == small_file.with_name("ds.tiendo.xlsx") and outcome.output.is_file()
    assert "tiến độ" in alerts(book)[-1]


@pytest.mark.parametrize("button", ["export_import", "police", "edit_list"])
def test_file_command_buttons_run_the_registry_command(small_file: Path, button: str) -> None:
    book = remote(small_list(), name=str(small_file))
    ui = Ui(book)
    assert dispatch.run_on(book, registry.button(button), ui) == dispatch.OK
    [(kind, text)] = ui.messages
    assert kind == "info" and str(small_file.parent) in text
    written = [p for p in small_file.parent.iterdir() if p != small_file and p.suffix == ".xlsx"]
    assert written


# --------------------------------------------------------------------------- help buttons


def test_settings_sheet_is_created_with_the_labels() -> None:
    from vaxclean_xl.settings import LABELS_VI, SETTINGS_SHEET, settings_from_rows

    book = remote(small_list())
    buttons.open_settings(book)
    acts = actions(book)
    assert acts[0]["func"] == "addSheet"
    [block] = [a for a in acts if a["func"] == "setValues"]
    labels = [row[0] for row in block["values"]]
    assert set(LABELS_VI.values()) <= set(labels)
    filled = [[label, "Xã Tân Lập" if label == "Xã/Phường" else ""] for label in labels]
    assert settings_from_rows(filled).commune == "Xã Tân Lập"
    assert SETTINGS_SHEET in [s.name for s in book.sheets]


def test_guide_renders_to_html() -> None:
    path = buttons.guide_path()
    assert path is not None and path.name == "huong-dan-excel.md"
    html = buttons.guide_html("# Tiêu đề\n\nĐoạn **đậm** và `mã`.\n\n- một\n- hai\n\n"
                              "| Nút | Lệnh |\n|---|---|\n| Kiểm tra | `vaxclean validate` |\n")
    assert "<h1>Tiêu đề</h1>" in html and "<b>đậm</b>" in html and "<li>hai</li>" in html
    assert "<tr><td>Kiểm tra</td><td><code>vaxclean validate</code></td></tr>" in html
    assert "---" not in html
    book = remote(small_list())
    out = buttons.open_guide(book)
    assert out is not None and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_doctor_button_shows_versions() -> None:
    book = remote(small_list())
    info = buttons.show_doctor(book)
    assert info["xlwings"] == xw.__version__ and info["excel_engine"] == "remote"
    assert info["import_fast"] is True
    text = alerts(book)[0]
    assert "Python" in text and sys_executable_in(text)


def sys_executable_in(text: str) -> bool:
    import sys

    return sys.executable in text


def test_doctor_cli_parser(capsys) -> None:
    import argparse

    from vaxclean_xl.cli.doctor import add_doctor_parser

    parser = argparse.ArgumentParser()
    add_doctor_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["doctor", "--json", "--no-measure"])
    assert args.func(args) == 0
    assert '"xlwings"' in capsys.readouterr().out


# --------------------------------------------------------------------------- COM fakes


class Recorder:
    """Counts every call a paint makes into (fake) Excel COM."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.values: dict[tuple[int, int], Any] = {}
        self.fills: dict[tuple[int, int], int | None] = {}
        self.notes: dict[tuple[int, int], str] = {}
        self.fail_special = False


def _cells_of(address: str) -> set[tuple[int, int]]:
    from vaxclean_xl.excel.sheet import parse_address

    cells = set()
    for area in address.split(","):
        r1, c1, r2, c2 = parse_address(area)
        cells |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    return cells


class FakeInterior:
    def __init__(self, rec: Recorder, cells: set[tuple[int, int]]) -> None:
        object.__setattr__(self, "_rec", rec)
        object.__setattr__(self, "_cells", cells)

    def __setattr__(self, name: str, value: Any) -> None:
        self._rec.calls.append(("Interior." + name,))
        for cell in self._cells:
            self._rec.fills[cell] = None if name == "ColorIndex" else value


class FakeAreas:
    def __init__(self, rec: Recorder, cells: set[tuple[int, int]]) -> None:
        self.rec, self.cells = rec, cells

    def SpecialCells(self, cell_type: int, value_type: int | None = None) -> FakeAreas:  # noqa: N802
        self.rec.calls.append(("SpecialCells", cell_type, value_type))
        if self.rec.fail_special:
            raise RuntimeError("Too many different cells")

        def kind(v: Any) -> tuple[int, int | None] | None:
            if isinstance(v, str) and v.startswith("="):
                return (-4123, None)
            if isinstance(v, bool):
                return (2, 4)
            if isinstance(v, int | float):
                return (2, 1)
            if isinstance(v, str):
                return (2, 2)
            return None

        found = {c for c in self.cells if kind(self.rec.values.get(c)) == (cell_type, value_type)}
        return FakeAreas(self.rec, found)

    def Offset(self, rows: int, cols: int) -> FakeAreas:  # noqa: N802
        self.rec.calls.append(("Offset", rows, cols))
        return FakeAreas(self.rec, {(r + rows, c + cols) for r, c in self.cells})

    @property
    def Interior(self) -> FakeInterior:  # noqa: N802
        self.rec.calls.append(("Interior",))
        return FakeInterior(self.rec, self.cells)


class FakeRange:
    def __init__(self, rec: Recorder, cells: set[tuple[int, int]], shape: tuple[int, int],
                 origin: tuple[int, int], address: str = "") -> None:
        self.rec, self.cells, self.shape, self.origin, self.address = (rec, cells, shape,
                                                                       origin, address)

    @property
    def api(self) -> FakeAreas:
        return FakeAreas(self.rec, self.cells)

    @property
    def color(self) -> None:
        raise NotImplementedError

    @color.setter
    def color(self, value: str | None) -> None:
        assert len(self.address) <= 255
        self.rec.calls.append(("color", self.address, value))
        for cell in self.cells:
            self.rec.fills[cell] = paint.bgr(value) if value else None

    @property
    def value(self) -> list[list[Any]]:
        self.rec.calls.append(("read", self.origin))
        (r0, c0), (rows, cols) = self.origin, self.shape
        return [[self.rec.values.get((r0 + i, c0 + j)) for j in range(cols)]
                for i in range(rows)]

    def options(self, **_kw: Any) -> FakeRange:
        return self

    @property
    def column_width(self) -> None:
        raise NotImplementedError

    @column_width.setter
    def column_width(self, value: float) -> None:
        self.rec.calls.append(("column_width",))

    @property
    def number_format(self) -> None:
        raise NotImplementedError

    @number_format.setter
    def number_format(self, value: str) -> None:
        self.rec.calls.append(("number_format", value))

    @property
    def font(self) -> Any:
        self.rec.calls.append(("font.name",))
        return type("Font", (), {"name": "Times New Roman"})()

    def add_note(self, text: str) -> None:
        self.rec.calls.append(("add_note",))
        self.rec.notes[min(self.cells)] = text

    @value.setter
    def value(self, matrix: list[list[Any]]) -> None:
        self.rec.calls.append(("value", self.origin))
        r0, c0 = self.origin
        for i, row in enumerate(matrix):
            for j, v in enumerate(row):
                if v is None:
                    self.rec.values.pop((r0 + i, c0 + j), None)
                else:
                    self.rec.values[(r0 + i, c0 + j)] = v

    def clear_contents(self) -> None:
        self.rec.calls.append(("clear_contents", self.origin))
        for cell in self.cells:
            self.rec.values.pop(cell, None)


class FakeSheet:
    name = SHEET

    def __init__(self, rec: Recorder, book: Any = None) -> None:
        self.rec = rec
        self.book = book

    @property
    def used_range(self) -> FakeRange:
        self.rec.calls.append(("used_range",))
        rows = max(r for r, _ in self.rec.values)
        cols = max(c for _, c in self.rec.values)
        rng = self.range((1, 1), (rows, cols))
        rng.address = f"$A$1:${paint.col_letters(cols)}${rows}"
        return rng

    @property
    def api(self) -> Any:
        rec = self.rec

        class Cells:
            @staticmethod
            def Find(**kw: Any) -> Any:  # noqa: N802
                rec.calls.append(("Find",))
                return type("Found", (), {"Row": max(r for r, _ in rec.values),
                                          "Column": max(c for _, c in rec.values)})()

        return type("SheetApi", (), {"Cells": Cells})()

    def range(self, arg1: Any, arg2: Any = None) -> FakeRange:
        self.rec.calls.append(("range",))
        if isinstance(arg1, str):
            return FakeRange(self.rec, _cells_of(arg1), (0, 0), (0, 0), arg1)
        (r1, c1), (r2, c2) = arg1, arg2 or arg1
        cells = {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        return FakeRange(self.rec, cells, (r2 - r1 + 1, c2 - c1 + 1), (r1, c1))


class FakeBook:
    class app:  # noqa: N801
        class engine:  # noqa: N801
            name = "excel"


def scattered(n: int, seed: int = 1) -> dict[tuple[int, int], str]:
    rnd = random.Random(seed)
    cells: dict[tuple[int, int], str] = {}
    while len(cells) < n:
        cell = (rnd.randint(7, 12_000), rnd.choice([2, 3, 4, 5, 6, 7]))
        cells[cell] = rnd.choice([ERROR, ERROR, WARNING])
    return cells


def test_com_areas_path_covers_cells_with_255_char_addresses() -> None:
    rec = Recorder()
    changes = scattered(2_000)
    report = paint.apply_fills(FakeBook(), FakeSheet(rec), changes, scratch_col=20)
    assert report.strategy == "areas"
    assert rec.fills == {c: paint.bgr(v) for c, v in changes.items()}
    assert all(len(call[1]) <= 255 for call in rec.calls if call[0] == "color")


def test_com_marker_path_10000_cells_in_few_calls(monkeypatch) -> None:
    monkeypatch.setattr(paint, "is_windows_com", lambda book: True)
    rec = Recorder()
    changes: dict[tuple[int, int], str | None] = dict(scattered(10_000))
    changes[(8, 9)] = None  # an old mark to remove
    rec.fills[(8, 9)] = paint.bgr(ERROR)
    report = paint.apply_fills(FakeBook(), FakeSheet(rec), changes, scratch_col=20)
    assert report.strategy == "markers"
    assert rec.fills == {c: (paint.bgr(v) if v else None) for c, v in changes.items()}
    assert rec.values == {}, "the marker block is cleared"
    assert len(rec.calls) <= 50, Counter(c[0] for c in rec.calls)
    print(f"\nCOM marker path: {len(rec.calls)} calls for {len(changes)} cells")


def test_com_marker_failure_falls_back_to_areas(monkeypatch) -> None:
    monkeypatch.setattr(paint, "is_windows_com", lambda book: True)
    rec = Recorder()
    rec.fail_special = True
    changes = scattered(1_000)
    report = paint.apply_fills(FakeBook(), FakeSheet(rec), changes, scratch_col=20)
    assert report.strategy == "areas" and report.fallback == "RuntimeError"
    assert {c: v for c, v in rec.fills.items()} == {c: paint.bgr(v) for c, v in changes.items()}
    assert rec.values == {}


def test_rectangles_and_chunks() -> None:
    cells = {(3, 2), (4, 2), (5, 2), (3, 3), (4, 3), (5, 3), (9, 2)}
    assert paint.rectangles(cells) == [(3, 2, 5, 3), (9, 2, 9, 2)]
    chunks = paint.address_chunks(paint.rectangles(cells))
    assert chunks == ["B3:C5,B9"]
    many = paint.address_chunks([(r, 2, r, 2) for r in range(1, 2000, 2)])
    assert all(len(c) <= 255 for c in many) and sum(c.count(",") + 1 for c in many) == 1000


SPREADSHEET_XML = """<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <Styles>
  <Style ss:ID="Default" ss:Name="Normal"><Alignment ss:Vertical="Bottom"/></Style>
  <Style ss:ID="s62"><Interior ss:Color="#FFC7CE" ss:Pattern="Solid"/></Style>
  <Style ss:ID="s63"><Interior ss:Color="#00B050" ss:Pattern="Solid"/></Style>
  <Style ss:ID="s64" ss:Parent="s62"><Font ss:Bold="1"/></Style>
 </Styles>
 <Worksheet ss:Name="Danh sach">
  <Table ss:ExpandedColumnCount="4" ss:ExpandedRowCount="4">
   <Row><Cell ss:StyleID="s62"><Data ss:Type="String">a</Data>
     <Comment ss:Author="vx"><ss:Data xmlns="http://www.w3.org/TR/REC-html40"
       ><Font>[ID005] Số CCCD</Font></ss:Data></Comment></Cell>
    <Cell ss:Index="3" ss:StyleID="s63"><Data ss:Type="Number">1</Data></Cell></Row>
   <Row ss:Index="3"><Cell ss:MergeAcross="1"><Data ss:Type="String">m</Data>
     <Comment><ss:Data xmlns="http://www.w3.org/TR/REC-html40">ghi chú của tôi</ss:Data
       ></Comment></Cell>
    <Cell ss:StyleID="s64"/></Row>
  </Table>
 </Worksheet>
</Workbook>"""


def test_spreadsheet_xml_gives_fills_and_notes() -> None:
    found = paint.parse_spreadsheet_xml(SPREADSHEET_XML, top=5, left=2)
    assert found.fills == {(5, 2): "#FFC7CE", (5, 4): "#00B050", (7, 4): "#FFC7CE"}
    assert found.notes == {(5, 2): "[ID005] Số CCCD", (7, 2): "ghi chú của tôi"}
    assert sorted(found.tool_fills()) == [(5, 2), (7, 4)]
    assert found.tool_notes() == [(5, 2)]


def test_add_notes_never_overwrites_a_users_note() -> None:
    class Cell:
        def __init__(self, taken: bool) -> None:
            self.taken = taken

        def add_note(self, text: str) -> None:
            if self.taken:
                raise ValueError("This cell already has a note")

    class Sheet:
        def range(self, cell: tuple[int, int]) -> Cell:
            return Cell(cell == (2, 2))

    assert paint.add_notes(Sheet(), {(1, 1): "[ID001] x", (2, 2): "[ID001] y"}) == (1, True)



def test_name_fonts_from_excel_uniform_and_mixed(monkeypatch) -> None:
    """Legacy fonts reach the rules as the file reader would give them."""
    found, _ = small_validation(small_list())

    class Font:
        def __init__(self, name: str | None) -> None:
            self.name = name

    class Rng:
        def __init__(self, name: str | None) -> None:
            self.font = Font(name)

    class Sheet:
        def __init__(self, name: str | None) -> None:
            self.name = name

        def range(self, *args: Any) -> Rng:
            return Rng(self.name)

    book = FakeBook()
    # Unicode names only: fonts cannot matter, Excel is not even asked
    assert buttons.name_fonts(book, Sheet(".VnTime"), found) == {}
    col = found.table.columns["full_name"]
    row0, values = found.table.rows[0]
    values = list(values)
    values[col] = "NguyÔn V¨n An"  # 8-bit TCVN3 text: its font decides
    found.table.rows[0] = (row0, values)
    rows = [r for r, _ in found.table.rows]
    assert buttons.name_fonts(book, Sheet(".VnTime"), found) == dict.fromkeys(rows, ".VnTime")
    assert buttons.name_fonts(book, Sheet("Times New Roman"), found) == {}
    mixed = paint.SheetMarks(fonts={(5, 2): "VNI-Times", (6, 2): "Arial"})
    monkeypatch.setattr(buttons, "read_marks", lambda *a: mixed)
    assert buttons.name_fonts(book, Sheet(None), found) == {5: "VNI-Times"}
    assert buttons.name_fonts(remote(small_list()), Sheet(".VnTime"), found) == {}


def test_clear_marks_uses_exact_colours_when_excel_reports_them(monkeypatch) -> None:
    """Where Excel can report fills (Windows), only the tool's exact colours in the
    list's field cells go; a user's green and a same-red cell outside the fields stay."""
    values = small_list()
    reported = paint.SheetMarks(
        fills={(5, 2): ERROR, (6, 4): WARNING, (7, 3): "#00B050", (5, 1): ERROR},
        notes={(5, 2): "[NAME101] Họ tên có khoảng trắng thừa.", (6, 4): "của tôi"})
    monkeypatch.setattr(buttons, "read_marks", lambda *a: reported)
    book = remote(values)
    out = buttons.clear_marks(book)
    assert painted(actions(book)) == {(5, 2): None, (6, 4): None}
    assert out.notes_removed == 1


class FakeApp:
    """Excel's Application over COM, recording every call."""

    engine = type("Engine", (), {"name": "excel"})()

    def __init__(self, rec: Recorder) -> None:
        object.__setattr__(self, "rec", rec)

    def __setattr__(self, name: str, value: Any) -> None:  # status_bar, screen_updating
        self.rec.calls.append((name,))

    def alert(self, text: str, **kw: Any) -> str:
        self.rec.calls.append(("alert", text))
        return "ok"


class FakeComBook:
    fullname = r"C:\tram\danh-sach.xlsx"

    def __init__(self, values: list[list[Any]], rec: Recorder) -> None:
        for i, row in enumerate(values, 1):
            for j, v in enumerate(row, 1):
                if v is not None:
                    rec.values[(i, j)] = v
        self.app = FakeApp(rec)
        sheet = FakeSheet(rec, self)
        self.sheets = type("Sheets", (), {"active": sheet,
                                          "__iter__": lambda _self: iter([sheet])})()


def test_validate_on_windows_excel_10000_bad_cells_in_at_most_50_calls(sample_10k, monkeypatch
                                                                      ) -> None:
    """The whole "Kiểm tra danh sách" click on (fake) Windows Excel, every COM call counted:
    read, fonts, status block, header, marker-block paint, status bar, message box."""
    monkeypatch.setattr(paint, "is_windows_com", lambda book: True)
    _path, values = sample_10k
    values = [list(r) for r in values]
    found = locate_list(Grid(1, 1, values), sheet_name=SHEET)
    sex = found.table.columns["sex"]
    for row, _cells in found.table.rows:
        values[row - 1][sex] = "x"
    rec = Recorder()
    book = FakeComBook(values, rec)
    out = buttons.validate_sheet(book, today=TODAY)
    assert out.flagged >= 10_000 and out.paint.strategy == "markers"
    _found, result = small_validation(values)
    want = {c: paint.bgr(v) for c, v in expected_fills(found.table, result).items()}
    assert {c: v for c, v in rec.fills.items() if c[0] > found.table.header_row} == want
    # the status block is four columns (the sample has doses); nothing right of it
    assert not [c for c in rec.values if c[1] > found.status_col + 3], "markers cleared"
    assert len(rec.calls) <= 50, Counter(c[0] for c in rec.calls)
    print(f"\nWindows COM (fake) validate: {len(rec.calls)} calls for {out.flagged} cells: "
          f"{dict(Counter(c[0] for c in rec.calls))}")


def test_validate_on_excel_adds_notes_when_few(monkeypatch) -> None:
    rec = Recorder()
    book = FakeComBook(small_list(), rec)
    out = buttons.validate_sheet(book, today=TODAY)
    found, result = small_validation(small_list())
    assert out.notes == len(expected_fills(found.table, result)) == len(rec.notes)
    assert all(paint.is_tool_note(t) for t in rec.notes.values())
    assert out.paint.strategy == "areas"


def test_protected_sheet_is_a_message_before_any_write(monkeypatch) -> None:
    rec = Recorder()
    book = FakeComBook(small_list(), rec)
    sheet = book.sheets.active
    monkeypatch.setattr(FakeSheet, "api", property(
        lambda self: type("SheetApi", (), {"ProtectContents": True})()))
    ui = Ui(book)
    assert dispatch.run_on(book, registry.button("validate"), ui) == dispatch.FAILED
    assert "khóa" in ui.messages[0][1]
    assert not [c for c in rec.calls if c[0] in ("value", "color")]
    assert sheet is book.sheets.active


def test_rerun_never_blanks_a_signature_below_the_list() -> None:
    """Old status rows are the ones whose "Phân loại" holds a group label, so text of a
    signature block that reaches into the status columns is left alone."""
    values = small_list()
    first = remote(values)
    buttons.validate_sheet(first, today=TODAY)
    data = replay_values(payload(values), actions(first))
    rows = data["sheets"][0]["values"]
    width = len(rows[0])
    rows.append([""] * width)
    rows.append([""] * (width - 2) + ["NGƯỜI LẬP BIỂU", ""])  # row 13, in a status column
    second = xw.Book(json=data)
    buttons.validate_sheet(second, today=TODAY)
    [block] = [a for a in actions(second) if a["func"] == "setValues"]
    assert block["start_row"] + block["row_count"] <= 11  # header (3) .. last person (11)


def test_pickers_use_excels_file_dialog(monkeypatch) -> None:
    from vaxclean_xl.excel import ui as ui_module

    class Items:
        def __init__(self, paths: list[str]) -> None:
            self.paths, self.Count = paths, len(paths)

        def Item(self, i: int) -> str:  # noqa: N802
            return self.paths[i - 1]

    class Filters:
        def Clear(self) -> None:  # noqa: N802
            pass

        def Add(self, label: str, patterns: str) -> None:  # noqa: N802
            assert patterns.startswith("*.xlsx")

    class Dialog:
        def __init__(self, kind: int) -> None:
            self.kind, self.Filters = kind, Filters()
            chosen = [r"C:\tram\Thôn 1 & 2"] if kind == 4 else [r"C:\a.xlsx", r"C:\b.xlsx"]
            self.SelectedItems = Items(chosen)

        def Show(self) -> int:  # noqa: N802
            return -1

    class App:
        api = type("Api", (), {"FileDialog": staticmethod(Dialog)})()

    book = type("Book", (), {"app": App(), "fullname": "Book1"})()
    monkeypatch.setattr(ui_module, "is_windows_com", lambda b: True)
    ui = Ui(book)
    assert ui.pick_folder("Chọn thư mục") == Path(r"C:\tram\Thôn 1 & 2")
    assert ui.pick_files("Chọn tệp") == [Path(r"C:\a.xlsx"), Path(r"C:\b.xlsx")]
    monkeypatch.setattr(ui_module, "is_windows_com", lambda b: False)
    remote_ui = Ui(remote(small_list()))
    assert remote_ui.pick_folder("x") is None and remote_ui.messages[0][0] == "error"


def test_split_button_never_replaces_a_split_and_offers_a_new_round(small_file: Path,
                                                                   tmp_path: Path) -> None:
    """Issue 9.1 from the ribbon: the same split again writes nothing; another list in the
    same folder is not written over: the button asks, and OK (the remote engine's answer)
    starts round 2 in its own sub-folder."""
    from python_calamine import CalamineWorkbook

    values = CalamineWorkbook.from_path(str(small_file)).get_sheet_by_name(SHEET).to_python()
    book = remote([[None if v == "" else v for v in r] for r in values], name=str(small_file))
    outdir = tmp_path / "gui-thon"
    first = buttons.split_hamlets(book, outdir=outdir)
    before = {p: p.read_bytes() for p in outdir.iterdir()}
    again = buttons.split_hamlets(book, outdir=outdir)
    assert again.reused and not again.written
    assert "không ghi lại tệp nào" in alerts(book)[-1]
    other = tmp_path / "ds-khac.xlsx"
    generate_sample(other, rows=60, seed=9)
    values = CalamineWorkbook.from_path(str(other)).get_sheet_by_name(SHEET).to_python()
    book2 = remote([[None if v == "" else v for v in r] for r in values], name=str(other))
    second = buttons.split_hamlets(book2, outdir=outdir)
    asked = [a for a in alerts(book2) if "không ghi đè" in a]
    assert asked and "lần chia mới" in asked[0] and "--new-round" not in asked[0]
    assert second.round_no == 2 and second.folder == outdir / "lan-2"
    assert second.split_id != first.split_id
    assert {p: p.read_bytes() for p in outdir.iterdir() if p.is_file()} == before
