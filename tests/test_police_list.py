"""`vaxclean police-list`: the printable list the commune police check and sign, and the
reader of the list they return (filled in by hand, re-saved by LibreOffice)."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tests.conftest import (
    generated_sample,
    hide_soffice,
    soffice_convert,
    soffice_or_skip,
)
from vaxclean_xl.cli.police_list import add_police_parser
from vaxclean_xl.commands.police_list import (
    NO_SOFFICE_VI,
    hamlet_order,
    police_list,
)
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.hamlet_file.layout import parse_key
from vaxclean_xl.sample import generate_sample
from vaxclean_xl.settings import Settings

TODAY = _dt.date(2024, 5, 1)
SETTINGS = Settings(commune="xã Xuân Lập", district="huyện Thọ Xuân", province="tỉnh Thanh Hóa",
                    station="Trạm Y tế xã Xuân Lập", police_unit="",
                    police_head="Lê Văn Công", station_head="Trần Thị Trưởng",
                    preparer="Ngô Văn Lập")
COL = {c.header: openpyxl.utils.get_column_letter(i + 1) for i, c in enumerate(P.COLUMNS)}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    return generated_sample(tmp_path_factory.mktemp("police") / "danh-sach.xlsx", rows=150,
                            seed=3, today=TODAY)


@pytest.fixture(scope="module")
def made(sample, tmp_path_factory):
    src, truth = sample
    out = tmp_path_factory.mktemp("police-out") / "cong-an.xlsx"
    outcome = police_list(src, out, settings=SETTINGS, today=TODAY)
    return src, truth, outcome


def bad_rows(truth: dict) -> set[int]:
    return {r["row"] for r in truth["records"] if r["category"] != "OK"}


def data_rows(ws) -> tuple[list[int], list[int]]:
    """(group rows, record rows) by Excel row number, from FIRST_ROW to the total line."""
    groups, records = [], []
    r = P.FIRST_ROW
    while True:
        b = ws[f"B{r}"].value
        if isinstance(b, str) and b.startswith("Thôn/ấp: "):
            groups.append(r)
        elif isinstance(b, int):
            records.append(r)
        else:
            return groups, records
        r += 1


# --- the workbook, cell by cell ---------------------------------------------------------------

def test_sheets_meta_and_title_block(made):
    src, _truth, outcome = made
    wb = openpyxl.load_workbook(outcome.output)
    assert wb.sheetnames == [P.DATA_SHEET, P.META_SHEET]
    meta_ws = wb[P.META_SHEET]
    assert meta_ws.sheet_state == "veryHidden"
    meta = {r[0]: r[1] for r in meta_ws.iter_rows(values_only=True)}
    assert meta["schema"] == "vaxclean.police/1"
    assert meta["source_sha256"] == P.sha256_file(src)
    assert meta["list_id"] == outcome.list_id == P.list_id_for(meta["source_sha256"])
    assert meta["records"] == str(outcome.count)

    ws = wb[P.DATA_SHEET]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert ws["B1"].value == "CÔNG AN XÃ XUÂN LẬP" and "B1:E1" in merged
    assert ws["B2"].value == "TRẠM Y TẾ XÃ XUÂN LẬP" and "B2:E2" in merged
    assert ws["H1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and "H1:N1" in merged
    assert ws["H2"].value == "Độc lập – Tự do – Hạnh phúc"
    assert ws["H2"].font.b and ws["H2"].font.u == "single"
    # Decree 30/2020: zero before days < 10 and months 1-2 only
    assert ws["H3"].value == "Xuân Lập, ngày 01 tháng 5 năm 2024"
    assert ws["B4"].value == ("DANH SÁCH ĐỀ NGHỊ ĐỐI CHIẾU, XÁC THỰC THÔNG TIN CÔNG DÂN "
                              "ĐÃ TIÊM VẮC XIN COVID-19")
    assert "B4:N4" in merged and ws["B4"].font.b and ws["B4"].font.sz == 14
    assert ws["B5"].value == ("(Trạm Y tế xã Xuân Lập; xã Xuân Lập, huyện Thọ Xuân, "
                              "tỉnh Thanh Hóa)")
    assert "Kết quả đối chiếu" in ws["B6"].value


def test_two_header_rows(made):
    ws = openpyxl.load_workbook(made[2].output)[P.DATA_SHEET]
    merged = {str(m) for m in ws.merged_cells.ranges}
    top, sub = P.HEADER_TOP_ROW, P.HEADER_ROW
    expected_top = {"A": "Mã bản ghi", "B": "STT", "C": "Họ và tên", "D": "Ngày sinh",
                    "E": "Giới tính", "F": "Số CCCD/CMND", "G": "Thôn/ấp",
                    "H": "Nội dung cần xác minh", "I": "Kết quả đối chiếu (Đúng/Sai)",
                    "J": "Thông tin đúng theo CSDLQG", "N": "Ghi chú"}
    for col, text in expected_top.items():
        assert ws[f"{col}{top}"].value == text, col
        assert ws[f"{col}{top}"].font.b, col
        if col != "J":  # single headers span both header rows
            assert f"{col}{top}:{col}{sub}" in merged, col
    assert f"J{top}:M{top}" in merged
    assert [ws[f"{c}{sub}"].value for c in "JKLM"] == [
        "Họ và tên đúng", "Ngày sinh đúng", "Giới tính đúng", "Số CCCD đúng"]
    assert all(ws[f"{c}{sub}"].font.b for c in "JKLM")
    # police columns stand out (yellow), the station's are blue
    assert ws[f"I{top}"].fill.fgColor.rgb.endswith("FFE699")
    assert ws[f"K{sub}"].fill.fgColor.rgb.endswith("FFE699")
    assert ws[f"C{top}"].fill.fgColor.rgb.endswith("D9E1F2")
    assert P.POLICE_HEADERS == ("Kết quả đối chiếu (Đúng/Sai)", "Họ và tên đúng",
                                "Ngày sinh đúng", "Giới tính đúng", "Số CCCD đúng", "Ghi chú")
    # widths and the hidden key column
    assert ws.column_dimensions["A"].hidden
    assert not ws.column_dimensions["C"].hidden
    assert ws.column_dimensions["H"].width == pytest.approx(34 + 0.71, abs=0.1)


def test_records_grouped_by_hamlet_with_keys_and_messages(made):
    _src, truth, outcome = made
    ws = openpyxl.load_workbook(outcome.output)[P.DATA_SHEET]
    merged = {str(m) for m in ws.merged_cells.ranges}
    groups, records = data_rows(ws)
    # every record needing verification (group not OK), once; no other
    rows = [parse_key(ws[f"A{r}"].value) for r in records]
    assert all(k is not None and k[0] == outcome.list_id for k in rows)
    assert sorted(k[1] for k in rows) == sorted(bad_rows(truth))
    assert len(records) == outcome.count == len(bad_rows(truth))
    # STT runs through the whole list
    assert [ws[f"B{r}"].value for r in records] == list(range(1, len(records) + 1))
    # one group row per hamlet, merged across, records of that hamlet under it
    names = []
    for i, g in enumerate(groups):
        assert f"B{g}:N{g}" in merged
        assert ws[f"B{g}"].font.b
        m = re.fullmatch(r"Thôn/ấp: (.+) \((\d+) người\)", ws[f"B{g}"].value)
        assert m, ws[f"B{g}"].value
        names.append(m.group(1))
        end = groups[i + 1] if i + 1 < len(groups) else records[-1] + 1
        assert int(m.group(2)) == end - g - 1
    assert names == sorted(names, key=hamlet_order)
    assert names.index("Thôn 5") < names.index("Thôn 12")  # numbers in numeric order
    assert ws[f"A{groups[0]}"].value is None
    # the values as text, the errors in Vietnamese
    by_row = {parse_key(ws[f"A{r}"].value)[1]: r for r in records}
    truth_by_row = {t["row"]: t for t in truth["records"]}
    for src_row, r in by_row.items():
        for c in "DF":
            assert ws[f"{c}{r}"].number_format == "@"
            assert ws[f"{c}{r}"].value is None or isinstance(ws[f"{c}{r}"].value, str)
        for c in "IJKLMN":
            assert ws[f"{c}{r}"].number_format == "@"
            assert ws[f"{c}{r}"].value is None
            assert ws[f"{c}{r}"].protection.locked is False
        assert ws[f"C{r}"].protection.locked is not False
        assert ws[f"H{r}"].value, src_row
        assert ws[f"H{r}"].alignment.wrap_text
        assert len(ws[f"H{r}"].value.split("\n")) == len(truth_by_row[src_row]["errors"])
    lost_zero = next(t["row"] for t in truth["records"] if t["errors"] == ["ID005"])
    r = by_row[lost_zero]
    assert re.fullmatch(r"[0-9]{11}", ws[f"F{r}"].value)
    assert ws[f"H{r}"].value.endswith(f"Gợi ý: 0{ws[f'F{r}'].value}.")
    no_id = next(t["row"] for t in truth["records"] if t["errors"] == ["ID001"])
    assert ws[f"H{by_row[no_id]}"].value == "Không có số CCCD/CMND."


def test_dropdowns_colours_and_protection(made):
    ws = openpyxl.load_workbook(made[2].output)[P.DATA_SHEET]
    groups, records = data_rows(ws)
    dvs = {dv.formula1: dv for dv in ws.data_validations.dataValidation}
    result_dv = dvs['"Đúng,Sai"']
    cells = {c for rng in result_dv.sqref.ranges for c in _cells(rng)}
    assert cells == {f"I{r}" for r in records}  # record rows only, not the hamlet rows
    assert result_dv.showDropDown is not True  # (openpyxl: True would HIDE the arrow)
    sex_dv = dvs['"Nam,Nữ"']
    assert {c for rng in sex_dv.sqref.ranges for c in _cells(rng)} == {f"L{r}" for r in records}
    rules = [(str(rng.sqref), r.formula[0]) for rng in ws.conditional_formatting
             for r in rng.rules]
    assert (f"I{P.FIRST_ROW}:I{records[-1]}", f'$I{P.FIRST_ROW}="Sai"') in rules
    assert (f"I{P.FIRST_ROW}:I{records[-1]}", f'$I{P.FIRST_ROW}="Đúng"') in rules
    assert any("COUNTA" in f for _s, f in rules)
    assert ws.protection.sheet is True
    assert ws.freeze_panes == f"D{P.FIRST_ROW}"
    assert groups[0] == P.FIRST_ROW


def _cells(rng) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [f"{get_column_letter(c)}{r}" for r in range(rng.min_row, rng.max_row + 1)
            for c in range(rng.min_col, rng.max_col + 1)]


def test_print_setup_and_signatures(made):
    ws = openpyxl.load_workbook(made[2].output)[P.DATA_SHEET]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.page_setup.fitToWidth in (None, 1, "1")  # 1 is the default
    assert ws.print_title_rows == f"${P.HEADER_TOP_ROW}:${P.HEADER_ROW}"
    assert ws.oddFooter.center.text == "Trang &P/&N"
    assert ws.print_options.horizontalCentered
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    assert area.split("!")[1].startswith("$B$1:$N$")
    last = int(area.rsplit("$", 1)[1])
    texts = {}
    for row in ws.iter_rows(min_row=P.FIRST_ROW, max_row=last):
        for c in row:
            if isinstance(c.value, str):
                texts.setdefault(c.value, c.coordinate)
    _groups, records = data_rows(ws)
    total = f"Tổng số: {len(records)} người cần đối chiếu, thuộc {len(_groups)} thôn/ấp."
    assert total in texts
    police_title = texts["CÔNG AN XÃ XUÂN LẬP"]
    assert police_title[0] == "B"
    assert texts["NGƯỜI LẬP BIỂU"][0] == "F"
    station_title = texts["TRẠM Y TẾ XÃ XUÂN LẬP"]
    assert station_title[0] == "I"
    assert int(police_title[1:]) == int(station_title[1:]) > records[-1]
    assert ws[police_title].font.b
    notes = [c for t, c in texts.items() if t == "(Ký, ghi rõ họ tên, đóng dấu)"]
    assert notes and ws[notes[0]].font.i
    for name, col in (("Lê Văn Công", "B"), ("Ngô Văn Lập", "F"), ("Trần Thị Trưởng", "I")):
        assert texts[name][0] == col
        assert int(texts[name][1:]) == last  # the names close the print area
    assert texts["Xuân Lập, ngày …… tháng …… năm ……"][0] == "B"  # the police date it


def test_official_date_and_units():
    assert P.official_date(_dt.date(2026, 1, 5), "An Bình") == "An Bình, ngày 05 tháng 01 năm 2026"
    assert P.official_date(_dt.date(2026, 11, 12), "") == "……, ngày 12 tháng 11 năm 2026"
    assert P.official_date(None, "X") == "X, ngày …… tháng …… năm ……"
    assert P.commune_parts("Phường 3") == ("phường", "3")
    assert P.commune_parts("thị trấn Sao Vàng") == ("thị trấn", "Sao Vàng")
    assert P.commune_parts("An Bình") == ("xã", "An Bình")
    assert P.police_unit(Settings(commune="Phường 3")) == "CÔNG AN PHƯỜNG 3"
    assert P.police_unit(Settings(police_unit="Công an xã  Đông Hà")) == "CÔNG AN XÃ ĐÔNG HÀ"
    assert P.station_unit(Settings()) == "TRẠM Y TẾ XÃ ……………"


def test_nothing_to_verify(tmp_path):
    src = tmp_path / "sach.xlsx"
    wb = xlsxwriter.Workbook(src)
    ws = wb.add_worksheet("DS")
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn"])
    ws.write_row(1, 0, [1, "Nguyễn Văn An", "01/05/1990", "Nam", "001090123456", "Xóm 1"])
    wb.close()
    outcome = police_list(src, tmp_path / "ca.xlsx", today=TODAY)
    assert outcome.count == 0 and outcome.groups == []
    ws = openpyxl.load_workbook(outcome.output)[P.DATA_SHEET]
    assert ws[f"B{P.FIRST_ROW}"].value == "Không có người nào cần đối chiếu."
    assert ws["B1"].value == "CÔNG AN XÃ ……………"  # no settings: blanks to fill by hand
    assert P.read_police_return(outcome.output) == []


# --- the command line -------------------------------------------------------------------------

def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vaxclean")
    add_police_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_summary_settings_file_and_default_output(tmp_path, capsys):
    src = tmp_path / "ds.xlsx"  # the CLI validates as of today: a sample made for today
    _, truth = generated_sample(src, rows=150, seed=3)
    settings = tmp_path / "tram.toml"
    settings.write_text('commune = "An Bình"\npolice_head = "Đinh Văn Hùng"\n', "utf-8")
    assert _run(["police-list", str(src), "--settings", str(settings)]) == 0
    out = capsys.readouterr().out
    n = len(bad_rows(truth))
    assert f"{n} người cần xác minh trong 150 bản ghi" in out
    assert "Không có số CCCD/CMND" in out and "ds.congan.xlsx" in out
    ws = openpyxl.load_workbook(tmp_path / "ds.congan.xlsx")[P.DATA_SHEET]
    assert ws["B1"].value == "CÔNG AN XÃ AN BÌNH"
    values = {c.value for row in ws.iter_rows() for c in row}
    assert "Đinh Văn Hùng" in values


def test_cli_pdf_without_libreoffice_says_so(sample, tmp_path, capsys, monkeypatch):
    hide_soffice(monkeypatch, tmp_path)
    out = tmp_path / "ca.xlsx"
    assert _run(["police-list", str(sample[0]), "-o", str(out), "--pdf"]) == 0
    captured = capsys.readouterr()
    assert NO_SOFFICE_VI in captured.err
    assert out.exists() and not out.with_suffix(".pdf").exists()


def test_refuses_to_overwrite_input(sample):
    from vaxclean_xl.errors import OutputError

    with pytest.raises(OutputError):
        police_list(sample[0], sample[0], today=TODAY)


# --- LibreOffice: PDF ------------------------------------------------------------------------

def test_pdf_through_libreoffice(sample, tmp_path):
    soffice_or_skip()
    outcome = police_list(sample[0], tmp_path / "ca.xlsx", pdf=True, settings=SETTINGS,
                          today=TODAY)
    assert outcome.pdf_message is None
    assert outcome.pdf == tmp_path / "ca.pdf"
    data = outcome.pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)
    assert len(pages) >= 1
    assert not list(tmp_path.glob(".*tmp"))  # no temp file left behind


# --- reading the list the police return -------------------------------------------------------

def _fill(path: Path, out: Path) -> dict[int, dict]:
    """Fill the police columns as a police officer would (openpyxl: typed values)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[P.DATA_SHEET]
    _groups, records = data_rows(ws)
    r1, r2, r3, r4 = records[:4]
    ws[f"I{r1}"] = "Đúng"
    ws[f"I{r2}"] = "Sai"
    ws[f"J{r2}"] = "  Phạm  Thanh Anh Trường "
    ws[f"K{r2}"] = _dt.datetime(1984, 12, 17)  # a real date, not text
    ws[f"L{r2}"] = "nữ"
    ws[f"M{r2}"] = 38084221209  # typed as a number: the leading zero is gone
    ws[f"N{r2}"] = "Đã đối chiếu CSDLQG"
    ws[f"I{r3}"] = "sai"  # no correct value: unresolved
    ws[f"I{r4}"] = "SAI"
    ws[f"M{r4}"] = "001090012345"
    wb.save(out)
    keys = {r: parse_key(ws[f"A{r}"].value) for r in records}
    return {"rows": records, "keys": keys, "r": (r1, r2, r3, r4)}


def _check_read(rows: list[P.PoliceRow], info: dict) -> None:
    records = info["rows"]
    assert [r.file_row for r in rows] == records  # hamlet rows, total, signatures skipped
    assert [r.key for r in rows] == [info["keys"][r] for r in records]
    assert [r.stt for r in rows] == [str(i) for i in range(1, len(records) + 1)]
    by_row = {r.file_row: r for r in rows}
    r1, r2, r3, r4 = (by_row[x] for x in info["r"])
    assert (r1.verdict, r1.correct, r1.unresolved) == ("Đúng", {}, False)
    assert r2.verdict == "Sai" and not r2.unresolved
    assert r2.correct == {"full_name": "Phạm  Thanh Anh Trường", "dob": "17/12/1984",
                          "sex": "Nữ", "id_number": "38084221209"}
    assert r2.note == "Đã đối chiếu CSDLQG"
    assert (r3.verdict, r3.verdict_text, r3.correct, r3.unresolved) == ("Sai", "sai", {}, True)
    assert r4.verdict == "Sai" and r4.correct == {"id_number": "001090012345"}
    untouched = [r for r in rows if r.file_row not in info["r"]]
    assert all(r.verdict is None and not r.correct and r.note == "" for r in untouched)
    assert all(r.orig["full_name"] or r.orig["id_number"] for r in rows)


def test_read_police_return_filled_with_openpyxl(made, tmp_path):
    filled = tmp_path / "tra-ve.xlsx"
    info = _fill(made[2].output, filled)
    _check_read(P.read_police_return(filled), info)
    pf = P.read_police_file(filled)
    assert pf.list_id == made[2].list_id and pf.meta["schema"] == P.SCHEMA
    assert pf.header_row == P.HEADER_ROW and pf.sheet == P.DATA_SHEET


def test_read_police_return_resaved_by_libreoffice(made, tmp_path):
    soffice_or_skip()
    filled = tmp_path / "tra-ve.xlsx"
    info = _fill(made[2].output, filled)
    resaved = soffice_convert(filled, "xlsx", tmp_path / "lo")
    assert resaved != filled
    _check_read(P.read_police_return(resaved), info)
    assert P.read_police_file(resaved).list_id == made[2].list_id
    ods = soffice_convert(filled, "ods", tmp_path / "lo-ods")
    _check_read(P.read_police_return(ods), info)


def test_read_tolerates_moved_columns_renamed_sheet_lost_meta(made, tmp_path):
    filled = tmp_path / "tra-ve.xlsx"
    info = _fill(made[2].output, filled)
    wb = openpyxl.load_workbook(filled)
    ws = wb[P.DATA_SHEET]
    ws.title = "Đã đối chiếu"
    ws.insert_cols(3)  # a column the police added, before the name
    del wb[P.META_SHEET]
    wb.save(filled)
    rows = P.read_police_return(filled)
    _check_read(rows, info)
    pf = P.read_police_file(filled)
    assert pf.meta == {} and pf.list_id == made[2].list_id  # known from the keys


def test_read_rejects_other_files(sample, tmp_path):
    with pytest.raises(P.NotAPoliceList) as exc:
        P.read_police_return(sample[0])
    assert "Kết quả đối chiếu" in exc.value.message
    with pytest.raises(P.NotAPoliceList):
        P.read_police_return(tmp_path / "missing.xlsx")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    with pytest.raises(P.NotAPoliceList):
        P.read_police_return(junk)


def test_verdict_and_field_text():
    assert [P.verdict_of(v) for v in ("Đúng", "ĐÚNG", "dung", "Đ", "Sai", "s.", "?", None)] == [
        "Đúng", "Đúng", "Đúng", "Đúng", "Sai", "Sai", None, None]
    assert P.field_text("id_number", 1090012345.0) == "1090012345"
    assert P.field_text("dob", 31048.0) == "01/01/1985"  # an Excel serial number
    assert P.field_text("dob", "5/3/1985") == "5/3/1985"  # text stays as typed
    assert P.field_text("sex", "NAM") == "Nam"


def test_pdf_timeout_gives_a_message_and_no_file(made, tmp_path):
    from vaxclean_xl.commands.police_list import PdfError, convert_to_pdf

    exe = soffice_or_skip()
    with pytest.raises(PdfError) as exc:
        convert_to_pdf(made[2].output, tmp_path / "x.pdf", soffice=exe, timeout=0.05)
    assert "0.05 giây" in exc.value.message
    assert not (tmp_path / "x.pdf").exists()


def test_baseline_adds_records_that_were_wrong_originally(tmp_path):
    """With the original list's report, records the hamlets already fixed are verified too."""

    from vaxclean_xl.commands.police_list import police_list
    from vaxclean_xl.commands.validate import validate_file

    src = tmp_path / "ds.xlsx"
    generate_sample(src, rows=120, seed=4)
    report = tmp_path / "goc.json"
    validate_file(src, tmp_path / "o.xlsx", report)
    wrong = {r["row"] for r in json.loads(report.read_text("utf-8"))["records"]
             if r["category"] != "OK"}
    plain = police_list(src, tmp_path / "a.xlsx")
    with_base = police_list(src, tmp_path / "b.xlsx", baseline=report)
    assert {r.row for r in plain.records} == wrong  # same list: same records
    # mark every record OK in a doctored baseline: only the currently wrong ones remain
    data = json.loads(report.read_text("utf-8"))
    for r in data["records"][:10]:
        r["category"] = "NO_ID"
    doctored = tmp_path / "doctored.json"
    doctored.write_text(json.dumps(data), encoding="utf-8")
    more = police_list(src, tmp_path / "c.xlsx", baseline=doctored)
    first_ten = {r["row"] for r in data["records"][:10]}
    assert {r.row for r in more.records} == wrong | first_ten
    assert {r.row for r in with_base.records} == wrong
