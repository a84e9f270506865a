"""``vaxclean passport`` on real files (issue 12): the workbook's sheets (values, '@' text
cells, order by hamlet then name, print setup), the JSON report and its reader, exit codes
through the CLI entry point, ``--since``, the Excel button through xlwings' remote engine
and the readiness ``progress`` shows per hamlet."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import openpyxl
import pytest

from vaxclean_xl.cli import main
from vaxclean_xl.commands.passport import passport, passport_with_report
from vaxclean_xl.commands.progress import progress
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.core.passport import REASONS, SCHEMA, STATUS_LABEL_VI, Status
from vaxclean_xl.errors import E, VaxcleanError
from vaxclean_xl.formats import passport_report as PR
from vaxclean_xl.formats.progress_workbook import (
    PASSPORT_GROUP_HEADER,
    PASSPORT_HEADERS,
    read_progress_workbook,
)
from vaxclean_xl.sample import generate_sample
from vaxclean_xl.settings import Settings

TODAY = _dt.date(2023, 1, 1)
SETTINGS = Settings(commune="Xã Xuân Lập", station="Trạm Y tế xã Xuân Lập",
                    preparer="Lê Thị Lập", station_head="Phạm Văn Trưởng")
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Thôn",
          "Mũi 1 - Vắc xin", "Ngày tiêm mũi 1", "Mũi 2 - Vắc xin", "Ngày tiêm mũi 2",
          "Mũi 3 - Vắc xin", "Ngày tiêm mũi 3"]
AZ1, AZ2 = ("AstraZeneca", "01/07/2021"), ("AstraZeneca", "30/08/2021")
PF1, PF2 = ("Pfizer", "01/09/2021"), ("Pfizer", "01/10/2021")
NONE = (None, None)

# (name, dob, sex, ID, phone, hamlet, doses); rows 2… of the sheet, in this order
PEOPLE = [
    ("Đặng Thị Ánh Tuyết", "05/06/1980", "Nữ", "001180123456", "0912345678", "Thôn 10",
     [AZ1, AZ2]),                                                         # 2 READY
    ("Nguyễn Văn Bình", "05/06/1980", "Nam", "001080123457", "0912345679", "Thôn 2",
     [AZ1, AZ2]),                                                         # 3 READY
    ("Trần Văn An", "05/06/1980", "Nam", "001080123458", "0912345680", "Thôn 2",
     [PF1, PF2]),                                                         # 4 READY
    ("Phạm Thị Hoa", "05/06/1980", "Nữ", "", "0912345681", "Thôn 2",
     [AZ1, AZ2]),                                                         # 5 PASS001
    ("Lê Văn Cường", "05/06/1980", "Nam", "001080123459", "0912345682", "Thôn 10",
     []),                                                                 # 6 NO_DOSES
    ("Hoàng Văn Dũng", "05/06/1980", "Nam", "001080123460", "0912345683", "Thôn 10",
     [("Covaxin", "01/02/2022"), ("Covaxin", "01/03/2022")]),            # 7 PASS006
    ("Vũ Thị Mai", "02/03/1990", "Nữ", "001190123461", "0987654321", "Thôn 2",
     [AZ1]),                                                              # 8 pair with 9
    ("Vũ Thị Mai", "02/03/1990", "Nữ", "", "0987654322", "Thôn 2",
     [NONE, AZ2]),                                                        # 9 pair with 8
    ("Đỗ Văn Hùng", "01/01/1985", "Nam", "001085123462", "0911111111", "Thôn 10",
     [AZ1]),                                                              # 10 never paired
    ("Đỗ Văn Hùng", "01/01/1985", "Nam", "001085123463", "0922222222", "Thôn 10",
     [NONE, AZ2]),                                                        # 11 never paired
]


def write_list(path: Path, people: list = PEOPLE, *, doses: bool = True) -> Path:
    """A hand-made list: header in row 1, flat dose headers, IDs and phones as text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(HEADER if doses else HEADER[:7])
    for i, (name, dob, sex, idn, phone, hamlet, ds) in enumerate(people, 1):
        row: list[object] = [i, name, dob, sex, idn or None, phone, hamlet]
        if doses:
            for vaccine, day in [*ds, *[NONE] * (3 - len(ds))]:
                row += [vaccine, day]
        ws.append(row)
    for r in ws.iter_rows(min_row=2):
        for c in r:
            c.number_format = "@"
    wb.save(path)
    return path


def table(ws, header_row: int = PR.HEADER_ROW) -> list[dict[str, object]]:
    """The data lines of a list sheet as dicts by header (up to the first empty STT)."""
    headers = [c.value for c in ws[header_row]]
    out = []
    for row in ws.iter_rows(min_row=header_row + 1):
        if not isinstance(row[0].value, int):
            break
        out.append({h: c for h, c in zip(headers, row, strict=False) if h})
    return out


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("passport")
    src = write_list(work / "ds.xlsx")
    outcome = passport(src, json=work / "ds.json", settings=SETTINGS, today=TODAY)
    return {"src": src, "outcome": outcome, "json": work / "ds.json",
            "wb": openpyxl.load_workbook(outcome.output)}


def test_statuses_reasons_and_pairs(hand: dict) -> None:
    a = hand["outcome"].assessment
    by_row = {e.row: e for e in a.entries}
    assert {r for r, e in by_row.items() if e.status is Status.READY} == {2, 3, 4}
    assert by_row[6].status is Status.NO_DOSES
    assert [r.code for r in by_row[5].reasons] == ["PASS001"]
    assert [r.code for r in by_row[7].reasons] == ["PASS006"]
    assert "PASS007" in [r.code for r in by_row[8].reasons]
    assert by_row[8].same_person_rows == [9] and by_row[9].same_person_rows == [8]
    assert [p.rows for p in a.pairs] == [(8, 9)]
    # same name and date of birth, two different valid IDs: never one person
    assert by_row[10].same_person_rows == by_row[11].same_person_rows == []
    assert "PASS007" not in [r.code for e in (by_row[10], by_row[11]) for r in e.reasons]
    assert hand["outcome"].exit_code == 1 and hand["outcome"].output.name == "ds.hochieu.xlsx"


def test_ready_sheet_by_hamlet_then_name_with_the_certificate(hand: dict) -> None:
    ws = hand["wb"][PR.READY_SHEET]
    lines = table(ws)
    # Thôn 2 before Thôn 10 (natural order); in Thôn 2 "An" before "Bình" (given name)
    assert [line["Dòng trong danh sách"].value for line in lines] == [4, 3, 2]
    assert [line["STT"].value for line in lines] == [1, 2, 3]
    first = {h: c.value for h, c in lines[0].items()}
    assert first == {
        "STT": 1, "Dòng trong danh sách": 4, "Họ và tên": "Trần Văn An",
        "Ngày sinh": "05/06/1980", "Giới tính": "Nam", "Số CCCD/CMND": "001080123458",
        "Số điện thoại": "0912345680", "Thôn/ấp": "Thôn 2",
        "Tên trên chứng nhận": "TRAN<VAN<AN", "Mũi": "2/2", "Ngày tiêm": "01/10/2021",
        "Vắc xin": "Pfizer", "Sản phẩm (mp)": "EU/1/20/1528",
        "Nhà sản xuất (ma)": "ORG-100030215", "Quốc gia": "VN"}
    last = lines[2]
    assert last["Tên trên chứng nhận"].value == "DANG<THI<ANH<TUYET"
    for header in ("Số CCCD/CMND", "Số điện thoại"):
        cell = lines[0][header]
        assert cell.data_type == "s" and cell.number_format == "@"
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "NGƯỜI LẬP BIỂU" in texts and "Lê Thị Lập" in texts and "Phạm Văn Trưởng" in texts
    assert PR.READY_TITLE in texts and "TRẠM Y TẾ XÃ XUÂN LẬP" in texts
    assert any(t.startswith("Xuân Lập, ngày 01 tháng 01 năm 2023") for t in texts)


@pytest.mark.parametrize("sheet", PR.SHEETS)
def test_every_sheet_prints_a4_landscape_with_headers_and_page_numbers(hand: dict,
                                                                        sheet: str) -> None:
    ws = hand["wb"][sheet]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == f"${PR.HEADER_ROW}:${PR.HEADER_ROW}"
    assert ws.oddFooter.center.text == "Trang &P/&N"
    assert ws.sheet_properties.pageSetUpPr.fitToPage  # one page wide
    assert ws.page_setup.fitToHeight == 0


def test_blocked_sheet_gives_every_reason_and_what_to_fix(hand: dict) -> None:
    lines = {line["Dòng trong danh sách"].value: {h: c.value for h, c in line.items()}
             for line in table(hand["wb"][PR.BLOCKED_SHEET])}
    assert set(lines) == {5, 6, 7, 8, 9, 10, 11}
    entries = {e.row: e for e in hand["outcome"].assessment.entries}
    for row, line in lines.items():
        e = entries[row]
        assert line["Tình trạng"] == STATUS_LABEL_VI[e.status]
        assert line["Mã lý do"] == "\n".join(r.code for r in e.reasons)
        assert line["Lý do"] == "\n".join(r.message for r in e.reasons)
        for r in e.reasons:
            assert REASONS[r.code].fix in line["Cách sửa"]
    assert lines[5]["Mã lý do"] == "PASS001" and lines[5]["Số CCCD/CMND"] is None
    assert lines[6]["Tình trạng"] == "Chưa có mũi tiêm"
    assert lines[8]["Cùng người với dòng"] == "9" and lines[9]["Cùng người với dòng"] == "8"
    # by hamlet (Thôn 2 first), BLOCKED before NO_DOSES in a hamlet, then by given name
    order = [line["Dòng trong danh sách"].value
             for line in table(hand["wb"][PR.BLOCKED_SHEET])]
    assert order == [5, 8, 9, 7, 10, 11, 6]


def test_pairs_sheet(hand: dict) -> None:
    [line] = table(hand["wb"][PR.PAIRS_SHEET])
    values = {h: c.value for h, c in line.items()}
    assert values == {
        "STT": 1, "Dòng A": 8, "Họ và tên A": "Vũ Thị Mai", "Ngày sinh": "02/03/1990",
        "Số CCCD/CMND A": "001190123461", "Số điện thoại A": "0987654321", "Mũi của A": "1",
        "Dòng B": 9, "Họ và tên B": "Vũ Thị Mai", "Số CCCD/CMND B": None,
        "Số điện thoại B": "0987654322", "Mũi của B": "2",
        "Căn cứ": PR.TIES_VI["no_id"], "Việc cần làm": "Gộp hồ sơ trên nền tảng"}
    assert line["Số CCCD/CMND A"].number_format == "@"


def test_summary_sheet_counts_and_chart(hand: dict) -> None:
    ws = hand["wb"][PR.SUMMARY_SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    pairs = {r[0]: r[1] for r in rows if r[0] in STATUS_LABEL_VI.values()}
    assert pairs == {"Sẵn sàng ký": 3, "Chưa ký được": 6, "Chưa có mũi tiêm": 1}
    reasons = {r[0]: r[2] for r in rows if isinstance(r[0], str) and r[0] in REASONS}
    assert reasons["PASS001"] == 2 and reasons["PASS006"] == 1 and reasons["PASS008"] == 1
    assert reasons["PASS007"] == 2 and set(reasons) == set(REASONS)
    hamlets = {r[0]: r[2:6] for r in rows if r[0] in ("Thôn 2", "Thôn 10")}
    assert hamlets == {"Thôn 2": [2, 3, 0, 5], "Thôn 10": [1, 3, 1, 5]}
    assert [r[0] for r in rows if r[0] in ("Thôn 2", "Thôn 10")] == ["Thôn 2", "Thôn 10"]
    assert len(ws._charts) == 1


def test_json_report_and_its_reader(hand: dict) -> None:
    data = json.loads(hand["json"].read_text(encoding="utf-8"))
    assert data["schema"] == SCHEMA == "vaxclean.passport/1"
    assert (data["generated"], data["source"], data["since"]) == ("2023-01-01", "ds.xlsx", None)
    assert data["catalogue"].startswith("vaccines-vn-2022")
    assert data["summary"] == hand["outcome"].assessment.summary()
    assert data["summary"]["READY"] == 3 and data["summary"]["same_person_pairs"] == 1
    assert data["pairs"] == [{"rows": [8, 9], "doses": [[1], [2]], "why": "no_id"}]
    recs = {r["row"]: r for r in data["records"]}
    assert len(recs) == len(PEOPLE)
    assert recs[4]["certificate"]["name"] == "TRAN<VAN<AN"
    assert recs[4]["certificate"]["dose"] == "2/2" and recs[4]["hamlet"] == "Thôn 2"
    # blocked by its identity, the series complete: what the certificate would show
    assert {k: v for k, v in recs[5].items() if k != "certificate"} == {
        "row": 5, "hamlet": "Thôn 2", "status": "BLOCKED",
        "reasons": [{"code": "PASS001", "message": REASONS["PASS001"].message_vi}],
        "same_person_rows": []}
    assert recs[5]["certificate"]["name"] == "PHAM<THI<HOA"
    assert recs[6]["certificate"] is None and recs[6]["status"] == "NO_DOSES"
    assert recs[8]["same_person_rows"] == [9]
    report = PR.read_passport_report(hand["json"])
    assert report.to_json() == hand["json"].read_text(encoding="utf-8")
    assert report.records[2].certificate.dose_text == "2/2"
    assert {h: dict(c) for h, c in report.by_hamlet().items()} == {
        "Thôn 10": {Status.READY: 1, Status.NO_DOSES: 1, Status.BLOCKED: 3},
        "Thôn 2": {Status.READY: 2, Status.BLOCKED: 3}}


def test_reader_refuses_other_json(tmp_path: Path) -> None:
    other = tmp_path / "x.json"
    other.write_text('{"schema": "vaxclean.validation/1", "records": []}', encoding="utf-8")
    with pytest.raises(PR.NotAPassportReport) as exc:
        PR.read_passport_report(other)
    assert exc.value.code == E.PASSPORT_REPORT and "x.json" in exc.value.message


def test_since_keeps_people_with_a_dose_on_or_after_the_day(tmp_path: Path) -> None:
    src = write_list(tmp_path / "ds.xlsx")
    out = passport(src, tmp_path / "ngay.xlsx", json=tmp_path / "ngay.json",
                   since="01/09/2021", settings=SETTINGS, today=TODAY)
    # Pfizer on 01/09 and 01/10/2021, Covaxin in 2022; AstraZeneca's 30/08/2021 is before
    assert sorted(e.row for e in out.assessment.entries) == [4, 7]
    data = json.loads((tmp_path / "ngay.json").read_text(encoding="utf-8"))
    assert data["since"] == "01/09/2021" and data["summary"]["persons"] == 2
    assert [r["row"] for r in data["records"]] == [4, 7]
    # the pairs are still looked for over the whole list
    assert data["pairs"][0]["rows"] == [8, 9]
    wb = openpyxl.load_workbook(out.output)
    assert [line["Dòng trong danh sách"].value for line in table(wb[PR.READY_SHEET])] == [4]
    assert any("từ ngày 01/09/2021" in str(c.value) for r in wb[PR.READY_SHEET].iter_rows()
               for c in r)
    [pair] = table(wb[PR.PAIRS_SHEET])
    assert pair["Họ và tên B"].value == "Vũ Thị Mai"  # found though outside the day's list


@pytest.mark.parametrize("text", ["31/02/2022", "2022-03-01", "hôm qua"])
def test_bad_since_is_a_vietnamese_error(tmp_path: Path, text: str) -> None:
    src = write_list(tmp_path / "ds.xlsx")
    with pytest.raises(VaxcleanError) as exc:
        passport(src, since=text)
    assert exc.value.code == E.PASSPORT_SINCE and exc.value.exit_code == 2
    assert "ngày/tháng/năm" in exc.value.message
    assert not (tmp_path / "ds.hochieu.xlsx").exists()


def test_cli_exit_codes(tmp_path: Path, capsys) -> None:
    src = write_list(tmp_path / "ds.xlsx")
    assert main(["passport", str(src), "--json", str(tmp_path / "p.json")]) == 1
    out = capsys.readouterr().out
    assert "Sẵn sàng ký" in out and "PASS001" in out and "ds.hochieu.xlsx" in out
    assert json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))["schema"] == SCHEMA
    ready = write_list(tmp_path / "du.xlsx", PEOPLE[:3])
    assert main(["passport", str(ready), "-o", str(tmp_path / "du-ra.xlsx")]) == 0
    assert (tmp_path / "du-ra.xlsx").is_file()
    # a person without doses does not fail the day (exit 0 is about people with doses)
    no_doses = write_list(tmp_path / "nd.xlsx", [*PEOPLE[:3], PEOPLE[4]])
    assert main(["passport", str(no_doses)]) == 0
    capsys.readouterr()
    plain = write_list(tmp_path / "khong-mui.xlsx", PEOPLE[:3], doses=False)
    assert main(["passport", str(plain)]) == 2
    err = capsys.readouterr().err
    assert "không có cột mũi tiêm" in err and not (tmp_path / "khong-mui.hochieu.xlsx").exists()
    assert main(["passport", str(src), "--since", "32/01/2022"]) == 2
    assert "--since" in capsys.readouterr().err
    assert main(["passport", str(src), "-o", str(src)]) == 2  # never over the input


def test_sample_list_with_doses(tmp_path: Path) -> None:
    """A generated list: every person judged once, READY ones have a certificate, the
    workbook's two lists hold every person."""
    src = tmp_path / "mau.xlsx"
    generate_sample(src, rows=300, seed=7, today=TODAY, doses=True)
    out = passport(src, json=tmp_path / "mau.json", today=TODAY)
    a = out.assessment
    assert len(a.entries) == 300 == len({e.row for e in a.entries})
    n = a.count()
    assert n[Status.READY] > 100 and n[Status.BLOCKED] > 0
    assert all(e.certificate is not None for e in a.entries if e.status is Status.READY)
    wb = openpyxl.load_workbook(out.output)
    assert len(table(wb[PR.READY_SHEET])) == n[Status.READY]
    assert len(table(wb[PR.BLOCKED_SHEET])) == n[Status.BLOCKED] + n[Status.NO_DOSES]
    report = PR.read_passport_report(tmp_path / "mau.json")
    assert [r.status for r in report.records] == [e.status for e in a.entries]


def test_progress_shows_readiness_per_hamlet(tmp_path: Path) -> None:
    src = write_list(tmp_path / "ds.xlsx")
    validate_file(src, tmp_path / "ds.kiemtra.xlsx", tmp_path / "ds.kiemtra.json",
                  today=TODAY)
    passport_with_report(src, today=TODAY)
    assert (tmp_path / "ds.hochieu.json").is_file()
    outcome = progress([tmp_path], tmp_path / "tiendo.xlsx")
    [lst] = outcome.lists
    assert lst.with_passport and [p.name for p in lst.used["passport"]] == ["ds.hochieu.json"]
    book = read_progress_workbook(tmp_path / "tiendo.xlsx")
    [sheet] = book.sheets
    got = {line.hamlet: line.passport for line in sheet.lines}
    assert got == {"Thôn 2": {"READY": 2, "BLOCKED": 3, "NO_DOSES": 0},
                   "Thôn 10": {"READY": 1, "BLOCKED": 3, "NO_DOSES": 1}}
    assert sheet.total.passport == {"READY": 3, "BLOCKED": 6, "NO_DOSES": 1}
    ws = openpyxl.load_workbook(tmp_path / "tiendo.xlsx")[sheet.name]
    texts = {c.value for r in ws.iter_rows(max_row=8) for c in r}
    assert PASSPORT_GROUP_HEADER in texts and set(PASSPORT_HEADERS.values()) <= texts


def test_progress_with_only_a_passport_report(tmp_path: Path) -> None:
    src = write_list(tmp_path / "ds.xlsx")
    passport(src, json=tmp_path / "hochieu.json", today=TODAY)
    outcome = progress([tmp_path / "hochieu.json"], tmp_path / "tiendo.xlsx")
    [lst] = outcome.lists
    assert lst.name == "ds.xlsx"
    assert {h.hamlet: h.passport for h in lst.hamlets}["Thôn 10"] == {
        "READY": 1, "BLOCKED": 3, "NO_DOSES": 1}


def test_progress_without_passport_report_has_no_passport_columns(tmp_path: Path) -> None:
    src = write_list(tmp_path / "ds.xlsx")
    validate_file(src, None, tmp_path / "ds.kiemtra.json", today=TODAY)
    progress([tmp_path], tmp_path / "tiendo.xlsx")
    [sheet] = read_progress_workbook(tmp_path / "tiendo.xlsx").sheets
    assert not sheet.with_passport and all(line.passport is None for line in sheet.lines)
