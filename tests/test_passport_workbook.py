"""The passport workbook's data rows, inserted as XML after XlsxWriter wrote each sheet's
frame (``xlsx.insert_rows``): LibreOffice reads the same values as openpyxl, the '@'
text format and the fitted row heights survive LibreOffice's reading, texts that need
escaping come back as written, and ``<dimension>`` spans the inserted rows."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import soffice_convert
from vaxclean_xl.commands.passport import passport
from vaxclean_xl.core.collate import vi_sort_key
from vaxclean_xl.core.passport import Status
from vaxclean_xl.core.presentation import shown
from vaxclean_xl.formats import passport_report as PR
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.sample import generate_sample
from vaxclean_xl.xlsx.insert_rows import Block, Column, height_attr, insert_rows, xf_index
from vaxclean_xl.xlsx.workbook import new_workbook


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("passport_wb")
    src = work / "ds.xlsx"
    generate_sample(src, rows=300, seed=5, doses=True)
    outcome = passport(src)
    lo = soffice_convert(outcome.output, "xlsx", work / "lo")
    return {"outcome": outcome, "ours": openpyxl.load_workbook(outcome.output),
            "lo": openpyxl.load_workbook(lo)}


def data_rows(ws, n: int) -> list[list[object]]:
    return [[c.value for c in row] for row in
            ws.iter_rows(min_row=PR.FIRST_ROW, max_row=PR.FIRST_ROW + n - 1)]


@pytest.mark.parametrize("sheet", [PR.READY_SHEET, PR.BLOCKED_SHEET])
def test_libreoffice_reads_the_inserted_rows(written: dict, sheet: str) -> None:
    a = written["outcome"].assessment
    n = {PR.READY_SHEET: a.count()[Status.READY],
         PR.BLOCKED_SHEET: len(a.entries) - a.count()[Status.READY]}[sheet]
    assert n > 0
    ours, lo = written["ours"][sheet], written["lo"][sheet]
    mine = data_rows(ours, n)
    assert [r[0] for r in mine] == list(range(1, n + 1))  # STT, numbers
    assert ours.cell(PR.FIRST_ROW + n, 1).value is None  # nothing after the last person
    # LibreOffice reads every inserted cell as openpyxl does (blank cells as empty)
    assert data_rows(lo, n) == mine
    # the signature block XlsxWriter wrote below the rows is still there
    texts = [c.value for row in lo.iter_rows(min_row=PR.FIRST_ROW + n) for c in row]
    assert "NGƯỜI LẬP BIỂU" in texts


def test_ready_rows_are_the_ready_persons_in_order(written: dict) -> None:
    a = written["outcome"].assessment
    ready = [e for e in a.entries if e.status is Status.READY]
    rows = data_rows(written["lo"][PR.READY_SHEET], len(ready))
    assert sorted(r[1] for r in rows) == sorted(e.row for e in ready)
    by_row = {e.row: e for e in ready}
    for r in rows:
        e = by_row[r[1]]
        assert r[2] == shown(e.record, "full_name") and r[8] == e.certificate.name
    names = [by_row[r[1]].record.full_name for r in rows]
    keys = [(r[7], vi_sort_key(n.split()[-1]), vi_sort_key(n), r[1])
            for r, n in zip(rows, names, strict=True)]
    hamlets = [k[0] for k in keys]
    assert sorted(set(hamlets), key=hamlets.index) == [h for h in dict.fromkeys(hamlets)]
    for h in set(hamlets):  # within a hamlet, by given name, then whole name, then row
        mine = [k[1:] for k in keys if k[0] == h]
        assert mine == sorted(mine)


def test_text_format_and_row_heights_survive_libreoffice(written: dict) -> None:
    a = written["outcome"].assessment
    n = len(a.entries) - a.count()[Status.READY]
    ours, lo = written["ours"][PR.BLOCKED_SHEET], written["lo"][PR.BLOCKED_SHEET]
    cols = {c.value: c.column for c in ours[PR.HEADER_ROW] if c.value}
    fitted = 0
    for r in range(PR.FIRST_ROW, PR.FIRST_ROW + n):
        for header in ("Số CCCD/CMND", "Số điện thoại", "Ngày sinh"):
            assert ours.cell(r, cols[header]).number_format == "@"
            assert lo.cell(r, cols[header]).number_format == "@"
        cells = [(str(ours.cell(r, cols[h]).value or ""), w, 11)
                 for h, w, _t in PR.BLOCKED_COLUMNS if h in ("Mã lý do", "Lý do", "Cách sửa")]
        want = P.fit_height(cells)
        got = ours.row_dimensions[r].height
        if want is None:
            assert got is None
            continue
        fitted += 1
        assert got == float(height_attr(want))
        assert lo.row_dimensions[r].height == pytest.approx(got, abs=0.5)
    assert fitted > 0
    ids = [ours.cell(r, cols["Số CCCD/CMND"]).value for r in range(PR.FIRST_ROW,
                                                                     PR.FIRST_ROW + n)]
    assert any(isinstance(v, str) and v.startswith("0") for v in ids)


def test_texts_that_need_escaping_come_back_as_written(tmp_path: Path) -> None:
    frame = tmp_path / "frame.xlsx"
    wb = new_workbook(frame, constant_memory=True)
    ws = wb.add_worksheet("Danh sách")
    text, cell = wb.add_format({"num_format": "@"}), wb.add_format({"text_wrap": True})
    ws.write_string(0, 0, "Tiêu đề", cell)
    ws.write_string(5, 0, "Ký tên", cell)
    cols = [Column(xf_index(cell), xf_index(cell), xf_index(cell)),
            Column(xf_index(text), xf_index(text), xf_index(text))]
    wb.close()
    rows = [["A & B <c> \"d\"", "007"], ["  hai đầu  ", ""], ["_x0041_ giữ nguyên", "1\n2"],
            ["Nguye\u0302\u0303n", 12], ["bỏ\x01ký tự\x1f", 3.5]]
    out = tmp_path / "out.xlsx"
    insert_rows(frame.read_bytes(), out, [Block("Danh sách", 2, cols, rows[:4],
                                                [None, 30.0, None, None])])
    out2 = tmp_path / "out2.xlsx"  # a block that would overwrite the frame's row is refused
    with pytest.raises(ValueError):
        insert_rows(frame.read_bytes(), out2, [Block("Danh sách", 2, cols, rows)])
    want = [["A & B <c> \"d\"", "007"], ["  hai đầu  ", None], ["_x0041_ giữ nguyên", "1\n2"],
            ["Nguyễn", 12]]
    ws = openpyxl.load_workbook(out)["Danh sách"]
    # openpyxl does not undo OOXML's escape of a literal "_x0041_" (LibreOffice does)
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=5)]
    assert got[2][0] == "_x005F_x0041_ giữ nguyên"
    got[2][0] = want[2][0]
    assert got == want
    assert ws["A6"].value == "Ký tên" and ws.row_dimensions[3].height == 30.0
    assert ws["B2"].number_format == "@" and ws["B2"].data_type == "s"
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<dimension ref="A1:B6"/>', xml)
    lo = openpyxl.load_workbook(soffice_convert(out, "xlsx", tmp_path / "lo"))["Danh sách"]
    assert [[c.value for c in r] for r in lo.iter_rows(min_row=2, max_row=5)] == want
    assert lo["B2"].number_format == "@"


def test_control_characters_are_dropped_and_any_text_kept(tmp_path: Path) -> None:
    frame = tmp_path / "frame.xlsx"
    wb = new_workbook(frame)
    wb.add_worksheet("S")
    wb.close()
    out = tmp_path / "out.xlsx"
    rows = [["bỏ\x01ký\x1f", "a"], ["x\ue000<y", "z>"], ["x\ue000y\ue000", ""]]
    insert_rows(frame.read_bytes(), out, [Block("S", 1, [Column(0, 0, 0)] * 2, rows)])
    ws = openpyxl.load_workbook(out)["S"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["bỏký", "a"], ["x\ue000<y", "z>"], ["x\ue000y\ue000", None]]


def test_name_order_is_vi_sort_key_of_the_name() -> None:
    for name in ("Nguyễn Văn An", "", "  Lê   Thị-Hoà  2 ", "Đặng Thị Ánh Tuyết",
                 "A\u0301nh Hòa", "O'Neil Mc2x", "ĐỖ  văn HÙNG"):
        words = name.split()
        assert PR.name_order(name) == (vi_sort_key(words[-1] if words else ""),
                                       vi_sort_key(name))
