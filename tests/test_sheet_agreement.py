"""The hamlet files' in-sheet formulas and the Python rules give the same verdict.

A few hundred adversarial values go through the real split writer; LibreOffice headless
recalculates every formula (forced, not trusting cached values); the codes the sheet shows
must equal the codes ``validate_rows`` gives on the same values, both for the originals and
for corrections typed into the '(sửa)' columns.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from tests.conftest import soffice_convert
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.core import sheetcheck
from vaxclean_xl.core.validate import validate_rows
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.hamlet_file.writer import (
    CODES_HELPER,
    CORR_COL,
    ORIG_COL,
    PROBLEM_COL,
    STATUS_COL,
)

NAMES = ["Nguyễn Văn An", "Tèo", "H'Hen Niê", "  Lê   Thị  Bình ", "Y Moan Êban", "NGUYỄN VĂN",
         "Trần", "",
         # digits and symbols typed into names (NAME002)
         "Trần Ngọc Linh2", "Mùa A Páo6", "Nguyễn Văn An 2", "Lê Thị B@", "Đỗ 3 Hùng",
         "Nguyễn Văn (An)", "Lý Thị Mỹ.", "Phạm_Văn", "Lê Thị Hà#", "Ngô Thị Huệ\u00b0",
         # TCVN3 (.VnTime) text read without its font (NAME004)
         "Ph¹m Thu Linh", "Hoµng V¨n Nam", "NguyÔn V¨n H\u00ad¬ng", "TrÇn ThÞ Lan", "Bïi ThÞ Hoa",
         "NGUYÔN V¡N H¦NG", "Lª V¨n TuÊn",
         # VNI-Windows text read without its font (NAME005)
         "Nguyeãn Vaên Hoaøng", "Phaïm Thò Lan", "Traàn Quoác Tuaán", "Leâ Thò Thu Höông",
         "Ñoã Ñöùc Anh", "Vuõ Thò Mai",
         # valid: Latin-1 letters only, minority names, a hyphen, an apostrophe
         "Hoàng Anh", "Ksor H'Ble", "Đinh Văn Bé-Ba", "Hà Văn Tư'", "José Nguyễn",
         # the same person written another way (for REC001 against 'Nguyễn Văn An')
         "nguyen van an", "NGUYỄN  VĂN AN"]
DOBS = ["01/05/1990", "1/5/1990", "01-05-1990", "01.05.1990", "1990-05-01", "1990/5/1",
        "31/02/1990", "29/02/2000", "29/02/1900", "29/02/2024", "00/00/1990", "15/13/1990",
        "1990", "năm 1990", "Năm 1990", "5/3/90", "01/05/1990 10:00", "01/05/1990 0:00:00",
        "01/05.1990", "01/01/1890", "25/11/1906", "24/11/1906", "01/01/2090", "abc", "",
        "1990-13-01", "32/01/1990", "01/05/19900", "1/1/0000", "  01/05/1990  "]
SEXES = ["Nam", "nam", "NAM", "Nữ", "nữ", "NỮ", "Nu", "nu", "male", "Female", "x", "?", "N",
         "Không rõ", ""]
IDS = ["001090123456", "001190123456", "079290123456", "001210123456", "40190123456",
       "001 090 123 456", "001.090.123.456", "00109012345A", "4.01901E+11", "4,01901E+11",
       "123456789", "12345678", "0010901234567", "099090123456", "003090123456",
       "101090123456", "295090123456", "296090123456", "001490123456", "001327123456",
       "Không có", "không có", "KHONG CO", "chưa có", "0", "0000", "-", "?", "*", "x", "",
       "1090123456", "9990123456", "8190123456", "001-090-123-456", "40 190 123 456",
       "0011901234 56", "00109012345",
       "001090123456 ", "A01090123456",
       # words with no digit at all are "no ID number" (ID002), one digit makes them ID004
       "Chưa có CCCD", "Đang làm CCCD", "Mất CMND", "Trẻ em", "chưa cấp", "Ｘ",
       "Chưa có CCCD 1", "０１２"]


def _cases(n: int, seed: int) -> list[tuple[str, str, str, str]]:
    rnd = random.Random(seed)
    out = [(rnd.choice(NAMES[:1] + NAMES), rnd.choice(DOBS), rnd.choice(SEXES), rnd.choice(IDS))
           for _ in range(n)]
    # every value of each list at least once, with otherwise good companions (each with an
    # ID number of its own, so that only the rows meant to share one do)
    own = (f"0010905{k:05d}" for k in itertools.count(1))
    out += [("Nguyễn Văn An", d, "Nam", next(own)) for d in DOBS]
    out += [("Nguyễn Văn An", "01/05/1990", s, next(own)) for s in SEXES]
    out += [("Nguyễn Thị Bình", "01/05/1990", "Nữ", i) for i in IDS]
    out += [(nm, "01/05/1990", "Nam", next(own)) for nm in NAMES]
    # one ID number twice in the file, as people type it (ID103 / REC001)
    out += [
        ("Trần Văn Dũng", "02/03/1980", "Nam", "036080001111"),  # the same person twice
        ("Trần Văn Dũng", "2/3/1980", "Nam", "036 080 001 111"),
        ("Trần Thị Hoa", "04/05/1982", "Nữ", "036182002222"),  # two people, one number
        ("Lê Văn Tám", "04/05/1982", "Nam", "036182002222"),
        ("Phạm Văn Nam", "01/01/1970", "Nam", "35070003333"),  # lost zero / typed in full
        ("PHẠM VĂN NAM", "01/01/1970", "Nam", "035070003333"),
        ("Phạm Văn Nam", "01/01/1971", "Nam", "035070003333"),  # and someone else
        ("Hoàng Văn Ba", "09/09/1999", "Nam", "12345678"),  # same wrong-length number
        ("Hoàng Thị Tư", "09/09/1999", "Nữ", "12345678"),
        ("Vũ Văn Cường", "", "Nam", "123456789"),  # CMND, no date: same name, same person
        ("Vũ Văn Cường", "", "Nam", "123456789"),
        ("Không Số", "01/01/1990", "Nam", "Không có"),  # placeholders are never duplicates
        ("Không Số Hai", "01/01/1990", "Nam", "Không có"),
        ("Chưa Số", "01/01/1990", "Nam", "Đang làm CCCD"),  # nor are words without digits
        ("Chưa Số", "01/01/1990", "Nam", "Đang làm CCCD"),
        ("Chưa Số Hai", "01/01/1990", "Nam", "Đang làm CCCD"),
    ]
    return out


def _write_source(path: Path, cases: list[tuple[str, str, str, str]]) -> None:
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    ws = wb.add_worksheet("DS")
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn"])
    for i, (name, dob, sex, idn) in enumerate(cases, start=1):
        ws.write_number(i, 0, i)
        ws.write_string(i, 1, name or "")
        if dob == "" and i % 2:
            ws.write_blank(i, 2, None)
        else:
            ws.write_string(i, 2, dob)
        ws.write_string(i, 3, sex)
        ws.write_string(i, 4, idn)
        ws.write_string(i, 5, "Xóm 1")
    # a few values stored the way Excel stores them: numbers and real dates
    n = len(cases) + 1
    ws.write_number(n, 4, 40190123456)
    ws.write_datetime(n, 2, dt.datetime(1990, 5, 1), wb.add_format({"num_format": "dd/mm/yyyy"}))
    ws.write_row(n, 0, [n]), ws.write_string(n, 1, "Số Liệu"), ws.write_string(n, 3, "Nữ")
    ws.write_string(n, 5, "Xóm 1")
    ws.write_number(n + 1, 2, 1990)
    ws.write_row(n + 1, 0, [n + 1]), ws.write_string(n + 1, 1, "Năm Sinh")
    ws.write_string(n + 1, 3, "Nam"), ws.write_string(n + 1, 4, "123456789")
    ws.write_string(n + 1, 5, "Xóm 1")
    wb.close()


def _sheet_rows(path: Path) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(L.DATA_SHEET).to_python(skip_empty_area=False)


FIELDS = ("full_name", "dob", "sex", "id_number")


def _python_codes(values: list[tuple[str, str, str, str]]) -> list[list[str]]:
    cols = {f: i for i, f in enumerate(FIELDS)}
    result = validate_rows([(i, list(v)) for i, v in enumerate(values)], cols)
    return [sheetcheck.sheet_codes([f.code for f in r.findings]) for r in result.records]


@pytest.mark.libreoffice
def test_formulas_agree_with_python_rules(tmp_path):
    cases = _cases(260, seed=7)
    src = tmp_path / "ds.xlsx"
    _write_source(src, cases)
    outcome = split_file(src, tmp_path / "split", all_records=True)
    (hamlet,) = outcome.files
    n = len(outcome.files[0].records)
    assert n == len(cases) + 2

    # corrections typed into the '(sửa)' columns of every other row
    edited = tmp_path / "edited.xlsx"
    wb = openpyxl.load_workbook(hamlet.path)
    ws = wb[L.DATA_SHEET]
    rnd = random.Random(11)
    for i in range(0, n, 2):
        r = L.FIRST_ROW + i
        field = rnd.choice(FIELDS)
        pool = {"full_name": NAMES, "dob": DOBS, "sex": SEXES, "id_number": IDS}[field]
        ws.cell(r, CORR_COL[field] + 1).value = rnd.choice(pool) or " "
    wb.save(edited)

    lo = tmp_path / "lo"
    seen: set[str] = set()
    for path in (hamlet.path, edited):
        rows = _sheet_rows(soffice_convert(path, "ods", lo / path.stem, recalc=True))
        data = rows[L.FIRST_ROW - 1: L.FIRST_ROW - 1 + n]
        effective = []
        for row in data:
            vals = []
            for f in FIELDS:
                corr = row[CORR_COL[f]]
                corr_text = corr if isinstance(corr, str) else ("" if corr in (None, "") else corr)
                use = corr if str(corr_text).strip() else row[ORIG_COL[f]]
                vals.append(use)
            effective.append(tuple(vals))
        expected = _python_codes(effective)
        seen.update(c for codes in expected for c in codes)
        mismatches = []
        for row, want, vals in zip(data, expected, effective, strict=True):
            got = str(row[CODES_HELPER]).split()
            status = row[STATUS_COL]
            if got != want or status != sheetcheck.status_text(got):
                mismatches.append((vals, want, got, status))
        assert not mismatches, mismatches[:10]
    assert seen == set(sheetcheck.SHEET_CODES), "every in-sheet code is exercised"


def test_cached_verdicts_equal_python(tmp_path):
    """Viewers that do not recalculate on load show the Python verdict as cached value."""
    cases = _cases(40, seed=3)
    src = tmp_path / "ds.xlsx"
    _write_source(src, cases)
    outcome = split_file(src, tmp_path / "split", all_records=True)
    rows = _sheet_rows(outcome.files[0].path)
    records = outcome.files[0].records
    for row, rec in zip(rows[L.FIRST_ROW - 1:], records, strict=False):
        want = sheetcheck.sheet_codes([f.code for f in rec.findings])
        assert str(row[CODES_HELPER]).split() == want
        assert row[STATUS_COL] == sheetcheck.status_text(want)


def _recalc_rows(path: Path, out: Path) -> list[list]:
    return _sheet_rows(soffice_convert(path, "ods", out, recalc=True))


@pytest.mark.libreoffice
def test_verdicts_the_file_alone_cannot_give_are_held_until_corrected(tmp_path):
    """A name typed in a VNI font (the file has lost the font) and an ID number shared with
    someone in another hamlet: the status says 'Sai' while the original stands, and the
    formulas take over once a correction is typed."""
    src = tmp_path / "ds.xlsx"
    wb = xlsxwriter.Workbook(src, {"strings_to_numbers": False})
    ws = wb.add_worksheet("DS")
    vni = wb.add_format({"font_name": "VNI-Times"})
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn"])
    rows = [("Hoàng Anh", "01/05/1990", "Nam", "001090123456", "Xóm 1"),  # VNI: 'Hồng Anh'
            ("Trần Văn Hoà", "04/05/1982", "Nam", "036082002222", "Xóm 1"),
            ("Lê Văn Tám", "04/05/1982", "Nam", "036082002222", "Xóm 2")]
    for i, (name, dob, sex, idn, hamlet) in enumerate(rows, start=1):
        ws.write_number(i, 0, i)
        ws.write_string(i, 1, name, vni if i == 1 else None)
        for c, v in enumerate((dob, sex, idn, hamlet), start=2):
            ws.write_string(i, c, v)
    wb.close()
    outcome = split_file(src, tmp_path / "split", all_records=True)
    xom1 = next(f for f in outcome.files if f.hamlet == "Xóm 1").path
    xom2 = next(f for f in outcome.files if f.hamlet == "Xóm 2").path

    first = L.FIRST_ROW - 1
    got = _recalc_rows(xom1, tmp_path / "lo1")
    assert str(got[first][CODES_HELPER]).split() == ["NAME005"]
    assert got[first][STATUS_COL].startswith("Sai: Họ tên gõ bằng mã VNI-Windows")
    assert str(got[first + 1][CODES_HELPER]).split() == ["ID103"]
    assert str(_recalc_rows(xom2, tmp_path / "lo2")[first][CODES_HELPER]).split() == ["ID103"]

    # corrections typed: the formulas decide again, from the file
    edited = tmp_path / "Xom-1-sua.xlsx"
    book = openpyxl.load_workbook(xom1)
    sheet = book[L.DATA_SHEET]
    sheet.cell(L.FIRST_ROW, CORR_COL["full_name"] + 1).value = "Hồng Anh"
    sheet.cell(L.FIRST_ROW + 1, CORR_COL["id_number"] + 1).value = "036082009999"
    book.save(edited)
    got = _recalc_rows(edited, tmp_path / "lo3")
    assert got[first][STATUS_COL] == "Đúng"
    assert got[first + 1][STATUS_COL] == "Đúng"
    # 'Lỗi phát hiện' still tells what the station found
    assert "VNI" in got[first][PROBLEM_COL]


def test_vni_pairs_are_never_unicode():
    """The VNI spellings the formulas take as certain occur in no valid Vietnamese word."""
    from vaxclean_xl.core import legacy_text as lt

    vowels = sorted(lt._VOWELS)
    evidence = lt._EVIDENCE[lt.VNI]
    derived = set()
    for spelling in lt._VNI_SPELLINGS:
        pair = spelling.lower()
        if (len(pair) != 2 or any(c in evidence for c in pair)
                or not all(c in lt._LETTERS for c in pair)):
            continue
        if not any(lt._word_ok(on + pre + pair + post + coda, lt._ORIGINAL)
                   for on in ("", "b", "qu", "gi", "ngh", "h") for pre in ["", *vowels]
                   for post in ["", *vowels] for coda in ("", "n", "c", "ng", "t")):
            derived.add(pair)
    assert derived == set(sheetcheck.VNI_UNICODE_FREE_PAIRS)
