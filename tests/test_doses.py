"""The DOSE rules, the vaccine catalogue and how doses are built from a row or from the rows
of one person; each rule on both sides of its boundary, with real dates."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from vaxclean_xl.core.catalogue import all_rules
from vaxclean_xl.core.doses import (
    CatalogueError,
    catalogue_path,
    dose_number,
    load_catalogue,
    parse_catalogue,
    with_aliases,
)
from vaxclean_xl.core.model import Category, DoseLayout
from vaxclean_xl.core.rules.dose import add_months, age_on
from vaxclean_xl.core.validate import check_rows, validate_rows

TODAY = dt.date(2022, 8, 1)
COLS = {"full_name": 0, "dob": 1, "sex": 2, "id_number": 3}
PERSON = ["Nguyễn Văn An", "05/06/1990", "Nam", "001090123456"]
PARTS = ("vaccine", "date", "lot", "site")
WIDE = DoseLayout(wide={n: {p: 4 + 4 * (n - 1) + i for i, p in enumerate(PARTS)}
                        for n in (1, 2, 3, 4)})


def dose(vaccine: object = "Pfizer", date: object = "01/09/2021", lot: object = "FF1234",
         site: object = "01004") -> list[object]:
    return [vaccine, date, lot, site]


def run(*doses: list[object], dob: object = "05/06/1990", layout: DoseLayout = WIDE,
        today: dt.date = TODAY, vaccines=None):
    values = [PERSON[0], dob, PERSON[2], PERSON[3]]
    for d in doses:
        values += d
    [rec] = validate_rows([(9, values)], COLS, today=today, dose_layout=layout,
                          vaccines=vaccines).records
    return rec


def codes(*doses: list[object], **kw) -> list[str]:
    """The dose codes (another date of birth than the ID's draws ID102: not ours here)."""
    return [f.code for f in run(*doses, **kw).findings if f.code.startswith("DOSE")]


def pfizer2(first: str = "01/09/2021", second: str = "22/09/2021") -> list[list[object]]:
    return [dose("Pfizer", first), dose("Pfizer", second)]


# --- catalogue ------------------------------------------------------------------------------

def test_catalogue_file_is_versioned_and_complete():
    data = json.loads(catalogue_path().read_text(encoding="utf-8"))
    assert data["version"] and data["sources"]
    cat = load_catalogue()
    assert list(cat.vaccines) == ["AstraZeneca", "Sputnik V", "Vero Cell", "Pfizer", "Moderna",
                                  "Janssen", "Hayat-Vax", "Abdala", "Covaxin"]
    assert cat.first_vaccination == dt.date(2021, 3, 8)
    assert [v.name for v in cat.vaccines.values() if not v.counts_for_passport] == ["Covaxin"]
    assert cat.vaccines["Janssen"].primary_doses == 1 and cat.vaccines["Abdala"].primary_doses == 3


@pytest.mark.parametrize("text,name,exact", [
    ("AstraZeneca", "AstraZeneca", True), ("  pfizer ", "Pfizer", True),
    ("SPUTNIK  V", "Sputnik V", True), ("Astra", "AstraZeneca", False),
    ("AZ", "AstraZeneca", False), ("Covishield", "AstraZeneca", False),
    ("Comirnaty", "Pfizer", False), ("Fizer", "Pfizer", False), ("Spikevax", "Moderna", False),
    ("Verocell", "Vero Cell", False), ("sinopharm", "Vero Cell", False),
    ("Gam-COVID-Vac", "Sputnik V", False), ("J&J", "Janssen", False),
    ("Astra Zeneca", "AstraZeneca", False), ("Vắc xin TQ", None, False),
])
def test_spellings(text, name, exact):
    assert load_catalogue().match(text) == (name, exact)


def test_station_alias_from_settings_and_unknown_target():
    cat = with_aliases(load_catalogue(), {"Vaccine TQ": "Sinopharm"})
    assert cat.match("vaccine tq") == ("Vero Cell", False)
    assert load_catalogue().match("vaccine tq") == (None, False)  # the shipped one unchanged
    with pytest.raises(CatalogueError, match="không có trong danh mục"):
        with_aliases(load_catalogue(), {"X": "Nanocovax"})


def test_malformed_catalogue_is_refused_in_vietnamese():
    data = json.loads(catalogue_path().read_text(encoding="utf-8"))
    data["vaccines"][0]["approved"] = "31/02/2021"
    with pytest.raises(CatalogueError, match="không đọc được"):
        parse_catalogue(data)
    with pytest.raises(CatalogueError, match="lược đồ"):
        parse_catalogue({"schema": "x"})


def test_helpers():
    assert age_on(dt.date(2004, 10, 27), dt.date(2022, 10, 26)) == 17
    assert age_on(dt.date(2004, 10, 27), dt.date(2022, 10, 27)) == 18
    assert add_months(dt.date(2021, 11, 30), 3) == dt.date(2022, 2, 28)
    assert [dose_number(v) for v in (2, 2.0, "Mũi 3 (nhắc lại)", "mũi thứ 1", "", None)] == [
        2, 2, 3, 1, None, None]


def test_catalogue_rules_are_documented():
    dose_rules = [r for r in all_rules() if r.code.startswith("DOSE")]
    assert len(dose_rules) >= 19
    for r in dose_rules:
        assert r.category is Category.OK and r.field.startswith("dose_"), r.code


# --- a clean history; status and identity group --------------------------------------------

def test_clean_history_has_no_finding_and_keeps_identity():
    rec = run(*pfizer2(), dose("Pfizer", "05/01/2022"))
    assert rec.findings == [] and rec.vaccination == "OK"
    assert [(d.number, d.vaccine, d.date) for d in rec.doses] == [
        (1, "Pfizer", dt.date(2021, 9, 1)), (2, "Pfizer", dt.date(2021, 9, 22)),
        (3, "Pfizer", dt.date(2022, 1, 5))]
    assert rec.doses[1].cols == {"vaccine": 8, "date": 9, "lot": 10, "site": 11}


def test_dose_errors_never_change_the_identity_group():
    rec = run(dose("Pfizer", "01/09/2030"))
    assert rec.vaccination == "ERROR" and rec.category is Category.OK and not rec.has_error
    [f] = rec.findings
    assert (f.field, f.row, f.code) == ("dose1_date", 9, "DOSE002")


def test_no_doses_is_none_and_no_layout_costs_nothing():
    assert run().vaccination == "NONE"
    [rec] = validate_rows([(9, [*PERSON, "Pfizer", "01/09/2030"])], COLS, today=TODAY).records
    assert not rec.doses and rec.vaccination == "NONE" and rec.findings == []


def test_excel_dates_and_times_are_read():
    rec = run(dose("Pfizer", dt.datetime(2021, 9, 1, 8, 30)), dose("Pfizer", 44461.0))
    assert [d.date for d in rec.doses] == [dt.date(2021, 9, 1), dt.date(2021, 9, 22)]
    assert rec.findings == []


# --- errors, both sides of each boundary ------------------------------------------------------

@pytest.mark.parametrize("value", ["31/02/2022", "5/3/21", "2022", "hôm qua"])
def test_dose001_unreadable(value):
    assert codes(dose("Pfizer", value)) == ["DOSE001"]


def test_dose002_future():
    assert codes(dose("Pfizer", "01/08/2022")) == []
    assert codes(dose("Pfizer", "02/08/2022")) == ["DOSE002"]


def test_dose003_before_campaign():
    assert codes(dose("AstraZeneca", "08/03/2021")) == []
    assert codes(dose("AstraZeneca", "07/03/2021")) == ["DOSE003"]


def test_dose004_before_approval():
    assert codes(dose("Moderna", "29/06/2021")) == []
    rec = run(dose("Moderna", "28/06/2021"))
    assert [f.code for f in rec.findings] == ["DOSE004"]
    assert "29/06/2021" in rec.findings[0].message


def test_dose005_before_birth():
    assert codes(dose("Pfizer", "14/04/2022"), dob="14/04/2017") == []
    assert codes(dose("Pfizer", "01/09/2021"), dob="02/09/2021") == ["DOSE005"]


@pytest.mark.parametrize("dob,day,expected", [
    ("26/10/2003", "26/10/2021", []),          # 18 on the day: an adult
    ("27/10/2003", "26/10/2021", ["DOSE006"]),  # 17 the day before children began
    ("27/10/2009", "27/10/2021", []),          # 12 on the first day of children 12–17
    ("28/10/2009", "27/10/2021", ["DOSE006"]),  # 11
    ("14/04/2017", "14/04/2022", []),          # 5 on the first day of children 5–11
    ("15/04/2017", "14/04/2022", ["DOSE006"]),  # 4
])
def test_dose006_too_young(dob, day, expected):
    assert codes(dose("Pfizer", day), dob=dob) == expected


@pytest.mark.parametrize("vaccine,dob,expected", [
    ("Moderna", "01/05/2016", []), ("Moderna", "02/05/2016", ["DOSE007"]),  # 6 / 5 on 01/05/22
    ("Abdala", "01/05/2003", []), ("Abdala", "02/05/2003", ["DOSE007"]),    # 19 / 18
    ("Abdala", "02/05/1956", []), ("Abdala", "01/05/1956", ["DOSE007"]),    # 65 / 66
])
def test_dose007_vaccine_ages(vaccine, dob, expected):
    assert codes(dose(vaccine, "01/05/2022"), dob=dob) == expected


def test_dose008_out_of_order():
    assert codes(*pfizer2("01/09/2021", "22/09/2021")) == []
    assert codes(dose("Pfizer", "22/09/2021"), dose("Pfizer", "21/09/2021")) == ["DOSE008"]


def test_dose009_later_dose_without_earlier():
    assert codes(dose(None, None, None, None), dose("Pfizer", "22/09/2021")) == ["DOSE009"]
    rec = run(dose(), dose(None, None, None, None), dose("Pfizer", "05/01/2022"))
    assert [(f.code, f.field) for f in rec.findings] == [("DOSE009", "dose3_date")]
    assert "thiếu mũi 2" in rec.findings[0].message


def test_dose010_and_dose011_half_a_dose():
    assert codes(dose(None, "01/09/2021")) == ["DOSE010"]
    assert codes(dose("Pfizer", None)) == ["DOSE011"]
    assert codes(dose("Pfizer", "01/09/2021")) == []


def test_dose010_011_105_106_silent_without_the_column():
    only_dates = DoseLayout(wide={1: {"date": 4}})
    assert codes(["01/09/2021"], layout=only_dates) == []


def test_dose012_unknown_name_suggests_only_when_certain():
    [f] = run(dose("Vắc xin TQ")).findings
    assert (f.code, f.suggestion, f.field) == ("DOSE012", None, "dose1_vaccine")
    [f] = run(dose("Vắc xin Pfizer (Mỹ)")).findings
    assert (f.code, f.suggestion) == ("DOSE012", "Pfizer")
    [f] = run(dose("Pfizer hoặc Moderna")).findings
    assert (f.code, f.suggestion) == ("DOSE012", None)


# --- warnings -----------------------------------------------------------------------------------

def test_dose101_interval_with_tolerance():
    assert codes(*pfizer2("01/09/2021", "18/09/2021")) == []         # 17 days: 21 less 4
    assert codes(*pfizer2("01/09/2021", "17/09/2021")) == ["DOSE101"]  # 16 days


def test_dose101_astrazeneca_four_weeks_allowed_locally():
    az = [dose("AstraZeneca", "01/07/2021"), dose("AstraZeneca", "29/07/2021")]  # 28 days
    assert codes(*az) == []
    az[1] = dose("AstraZeneca", "28/07/2021")  # 27 days
    assert codes(*az) == ["DOSE101"]


def test_dose102_booster_and_additional_dose():
    assert codes(*pfizer2(), dose("Pfizer", "22/12/2021")) == []          # 3 months
    assert codes(*pfizer2(), dose("Pfizer", "21/12/2021")) == ["DOSE102"]
    vero = [dose("Vero Cell", "01/10/2021"), dose("Vero Cell", "22/10/2021")]
    assert codes(*vero, dose("Pfizer", "19/12/2021")) == []              # additional: 58 days
    assert codes(*vero, dose("Pfizer", "18/11/2021")) == ["DOSE102"]      # 27 days
    # booster 2 (mũi 4) at least 4 months after mũi 3
    three = [*pfizer2(), dose("Pfizer", "05/01/2022")]
    assert codes(*three, dose("Moderna", "05/05/2022")) == []
    assert codes(*three, dose("Moderna", "04/05/2022")) == ["DOSE102"]


def test_dose102_booster_before_boosters_began():
    az = [dose("AstraZeneca", "08/03/2021"), dose("AstraZeneca", "05/05/2021")]
    assert codes(*az, dose("Pfizer", "01/12/2021")) == []
    assert codes(*az, dose("Pfizer", "30/11/2021")) == ["DOSE102"]


def test_abdala_dose3_is_primary_and_janssen_dose2_a_booster():
    abdala = [dose("Abdala", "01/10/2021"), dose("Abdala", "15/10/2021"),
              dose("Abdala", "29/10/2021")]
    assert codes(*abdala) == []
    janssen = [dose("Janssen", "01/09/2021"), dose("Pfizer", "01/12/2021")]
    assert codes(*janssen) == []
    janssen[1] = dose("Pfizer", "30/11/2021")  # under 3 months after the single dose
    assert codes(*janssen) == ["DOSE102"]


def test_dose103_mixing():
    assert codes(dose("AstraZeneca", "01/07/2021"), dose("Pfizer", "26/08/2021")) == []
    assert codes(dose("AstraZeneca", "01/07/2021"), dose("Moderna", "08/09/2021")) == []
    assert codes(dose("AstraZeneca", "01/07/2021"), dose("Moderna", "07/09/2021")) == [
        "DOSE103"]
    assert codes(dose("Vero Cell", "01/08/2021"), dose("Pfizer", "01/09/2021")) == ["DOSE103"]
    assert codes(dose("Vero Cell", "01/09/2021"), dose("Hayat-Vax", "01/10/2021")) == []


def test_dose104_alias_with_certain_fix():
    [f] = run(dose("Astra", "01/09/2021")).findings
    assert (f.code, f.suggestion, f.value) == ("DOSE104", "AstraZeneca", "Astra")
    rec = run(dose("Comirnaty"))
    assert rec.doses[0].vaccine == "Pfizer" and rec.vaccination == "WARNING"


def test_dose105_106_lot_and_site():
    assert codes(dose(lot="")) == ["DOSE105"]
    assert codes(dose(site=None)) == ["DOSE106"]


def test_dose107_second_booster_under_18():
    hist = [dose("Pfizer", "01/11/2021"), dose("Pfizer", "22/11/2021"),
            dose("Pfizer", "01/03/2022"), dose("Pfizer", "01/07/2022")]
    assert codes(*hist, dob="01/07/2004") == []          # 18 on the day
    assert codes(*hist, dob="02/07/2004") == ["DOSE107"]  # 17


# --- one row per dose ---------------------------------------------------------------------------

LONG = DoseLayout(long={"number": 4, "vaccine": 5, "date": 6, "lot": 7, "site": 8})


def test_one_row_per_dose_makes_one_record_with_every_row():
    rows = [(10, [*PERSON, "Mũi 1", "Pfizer", "01/09/2021", "L1", "01004"]),
            (11, [*PERSON, 2, "Pfizer", "10/09/2021", "L2", "01004"]),
            (12, [*PERSON, "3", "Moderna", "05/01/2022", "L3", "01004"])]
    [rec] = check_rows([rows[0]], COLS, today=TODAY, dose_layout=LONG,
                       person_rows={10: rows})
    assert rec.row == 10 and rec.rows == [10, 11, 12]
    assert [(d.number, d.row) for d in rec.doses] == [(1, 10), (2, 11), (3, 12)]
    [f] = rec.findings
    assert (f.code, f.row, f.field) == ("DOSE101", 11, "dose2_date")


def test_one_row_per_dose_without_number_takes_row_order():
    layout = DoseLayout(long={"vaccine": 4, "date": 5})
    rows = [(3, [*PERSON, "AZ", "01/07/2021"]), (4, [*PERSON, "AZ", "01/09/2021"])]
    result = validate_rows([rows[0]], COLS, today=TODAY, dose_layout=layout,
                           person_rows={3: rows})
    [rec] = result.records
    assert [(d.number, d.vaccine) for d in rec.doses] == [(1, "AstraZeneca"),
                                                          (2, "AstraZeneca")]
    assert result.by_category[Category.OK] == 1
    assert [f.code for f in rec.findings] == ["DOSE104", "DOSE104"]


def test_status_cells_name_the_dose_of_a_certain_fix():
    from vaxclean_xl.core.presentation import status_cells

    group, problems, fixes = status_cells(run(dose("Astra")))
    assert group == "Đúng" and "[DOSE104]" in problems
    assert fixes == "Mũi 1 - Tên vắc xin: AstraZeneca"


# --- a real file: reader -> checks -> JSON report; a station's aliases from its settings -----

def _dose_list(path, second_vaccine: str = "AstraZeneca") -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Danh sách")
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn",
                        "Mũi 1 - Vắc xin", "Ngày tiêm mũi 1", "Số lô mũi 1", "Nơi tiêm mũi 1",
                        "Mũi 2 - Vắc xin", "Ngày tiêm mũi 2", "Số lô mũi 2",
                        "Nơi tiêm mũi 2"])
    ws.write_row(1, 0, [1, "Nguyễn Văn An", "05/06/1990", "Nam", "001090123456", "Xóm 1",
                        "Astra", "01/07/2021", "A1", "01004", second_vaccine, "05/08/2021",
                        "A2", "01004"])
    ws.write_row(2, 0, [2, "Trần Thị Bình", "07/08/1985", "Nữ", "001185123457", "Xóm 1",
                        "Pfizer", "01/09/2030", "", "01004"])
    ws.write_row(3, 0, [3, "Lê Văn Cường", "01/01/1970", "Nam", "001070123458", "Xóm 2"])
    wb.close()


def test_json_report_carries_doses_and_reads_back_byte_for_byte(tmp_path):
    from vaxclean_xl.commands.common import open_list
    from vaxclean_xl.formats.validation_report import ValidationReport, read_report, write_report

    src = tmp_path / "ds.xlsx"
    _dose_list(src)
    opened = open_list(src, today=TODAY)
    out = tmp_path / "r.json"
    write_report(out, opened.table, opened.validation)
    data = json.loads(out.read_text(encoding="utf-8"))
    an, binh, cuong = data["records"]
    assert an["doses"] == [
        {"number": 1, "vaccine": "AstraZeneca", "vaccine_text": "Astra", "date": "01/07/2021",
         "lot": "A1", "site": "01004"},
        {"number": 2, "vaccine": "AstraZeneca", "vaccine_text": "AstraZeneca",
         "date": "05/08/2021", "lot": "A2", "site": "01004"}]
    assert (an["category"], an["vaccination"]) == ("OK", "WARNING")
    assert (binh["category"], binh["vaccination"]) == ("OK", "ERROR")
    assert {f["field"] for f in binh["findings"]} == {"dose1_date", "dose1_lot"}
    assert (cuong["doses"], cuong["vaccination"]) == ([], "NONE")
    text = out.read_text(encoding="utf-8")
    assert read_report(out).to_json() == text
    assert ValidationReport.from_validation(opened.table, opened.validation).to_json() == text


def test_station_aliases_from_the_settings_file_and_sheet(tmp_path):
    from vaxclean_xl.commands.common import open_list
    from vaxclean_xl.errors import InputError
    from vaxclean_xl.settings import load_settings_file, settings_from_rows

    src = tmp_path / "ds.xlsx"
    _dose_list(src, second_vaccine="AZ Nhật")
    plain = open_list(src, today=TODAY).validation.records[0]
    assert "DOSE012" in [f.code for f in plain.findings]
    toml = tmp_path / "tram.toml"
    toml.write_text('[vaccine_aliases]\n"AZ Nhật" = "AstraZeneca"\n', encoding="utf-8")
    settings = load_settings_file(toml)
    assert settings.vaccine_aliases == {"AZ Nhật": "AstraZeneca"}
    rec = open_list(src, settings=settings, with_settings=True,
                    today=TODAY).validation.records[0]
    assert [(f.code, f.field, f.suggestion) for f in rec.findings] == [
        ("DOSE104", "dose1_vaccine", "AstraZeneca"), ("DOSE104", "dose2_vaccine", "AstraZeneca")]
    sheet = settings_from_rows([["Tên gọi khác của vắc xin", "AZ Nhật = Astra; Vắc xin TQ = "
                                 "Sinopharm"]])
    assert sheet.vaccine_aliases == {"AZ Nhật": "Astra", "Vắc xin TQ": "Sinopharm"}
    with pytest.raises(InputError, match="Nanocovax"):
        settings_from_rows([["vaccine_aliases", "Nano = Nanocovax"]])
    with pytest.raises(InputError, match="tên gọi khác = tên vắc xin"):
        settings_from_rows([["vaccine_aliases", "chỉ một tên"]])


def test_dose013_lot_or_site_without_vaccine_and_date():
    """A dose holding only a lot or a site is still a dose on the list: it is reported, and
    a later dose is not told it lacks it (it is there, half written)."""
    assert codes(dose(None, None), dose("Pfizer", "22/09/2021")) == ["DOSE013"]
    assert codes(dose(None, "", "", "01004")) == ["DOSE013", "DOSE105"]
    assert codes(dose(None, None, None, None), dose("Pfizer", "22/09/2021")) == ["DOSE009"]
    only_lot = DoseLayout(wide={1: {"lot": 4}})  # a list without vaccine or date columns
    assert codes(["FF1234"], layout=only_lot) == []
    rec = run(dose(None, None))
    [f] = [f for f in rec.findings if f.code == "DOSE013"]
    assert (f.field, f.severity.value) == ("dose1_date", "error")
    assert f.message == "Mũi 1: có số lô hoặc địa điểm tiêm nhưng thiếu tên vắc xin và ngày tiêm."
    assert rec.vaccination == "ERROR" and rec.category.value == "OK"


@pytest.mark.parametrize("parts,field,missing", [
    (("vaccine", "lot"), "dose1_vaccine", "thiếu tên vắc xin."),
    (("date", "site"), "dose1_date", "thiếu ngày tiêm."),
])
def test_dose013_names_only_the_columns_the_list_has(parts, field, missing):
    """Without a date column DOSE013 marks the vaccine cell and speaks of the vaccine only
    (and the other way round): its note lands on a cell the list has."""
    layout = DoseLayout(wide={1: {p: 4 + i for i, p in enumerate(parts)}})
    rec = run([None, "FF1234"], layout=layout)
    [f] = [f for f in rec.findings if f.code.startswith("DOSE")]
    assert (f.code, f.field) == ("DOSE013", field) and f.message.endswith(missing)


def _long(*doses: tuple[object, str, str]):
    rows = [(10 + i, [*PERSON, n, v, d, f"L{i}", "01004"]) for i, (n, v, d) in
            enumerate(doses)]
    [rec] = check_rows([rows[0]], COLS, today=TODAY, dose_layout=LONG,
                       person_rows={10: rows})
    return rec


def test_dose_numbers_in_words_as_in_headers():
    """"Mũi thứ" cells read like headers: ordinals, boosters ("lần 2" is dose 4) and the
    additional dose; digits only read "nhắc lại lần 2" as dose 2."""
    rec = _long(("Mũi 1", "Pfizer", "01/09/2021"), ("Mũi 2", "Pfizer", "22/09/2021"),
                ("Mũi nhắc lại", "Pfizer", "05/01/2022"),
                ("Mũi nhắc lại lần 2", "Moderna", "06/05/2022"))
    assert [d.number for d in rec.doses] == [1, 2, 3, 4]
    assert [f.code for f in rec.findings] == []
    rec = _long(("Mũi thứ hai", "Pfizer", "01/10/2021"),
                ("Mũi thứ nhất", "Pfizer", "01/09/2021"))
    assert [(d.number, d.row) for d in rec.doses] == [(1, 11), (2, 10)]
    assert [f.code for f in rec.findings] == []


def test_dose014_same_number_twice():
    rec = _long(("Mũi 1", "Pfizer", "01/09/2021"), ("Mũi 1", "Pfizer", "01/10/2021"))
    [f] = rec.findings
    assert (f.code, f.row, f.field) == ("DOSE014", 11, "dose1_date")
    assert f.message == "Mũi 1 được ghi 2 lần cho cùng một người."
    # a repeat does not hide a gap: 1, 1, 3 still lacks dose 2
    rec = _long(("1", "Pfizer", "01/09/2021"), ("1", "Pfizer", "01/10/2021"),
                ("3", "Pfizer", "05/01/2022"))
    assert sorted(f.code for f in rec.findings) == ["DOSE009", "DOSE014"]


def test_booster_counts_from_3_for_a_person_without_the_additional_dose(tmp_path):
    """A list with "Mũi bổ sung" and "Mũi nhắc lại" columns: the booster of a person with no
    additional dose is their dose 3 (it used to be dose 4 "without dose 3", an error that
    blocked the passport), that of a person with one dose 4; a finding marks the booster's
    own cell. Both ways of building doses (the wide hot path, and build_doses when the
    layout also has one-row-per-dose columns) agree."""
    import openpyxl

    from vaxclean_xl.core.presentation import mark_notes
    from vaxclean_xl.io.reader import read_table

    src = tmp_path / "bo-sung.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Mũi 1", "Vắc xin mũi 1",
               "Mũi 2", "Vắc xin mũi 2", "Mũi bổ sung", "Vắc xin mũi bổ sung",
               "Mũi nhắc lại", "Vắc xin mũi nhắc lại"])
    ws.append([*PERSON, "01/09/2021", "Pfizer", "22/09/2021", "Pfizer", None, None,
               "05/01/2022", "Moderna"])
    ws.append(["Trần Thị Bình", "05/07/1995", "Nữ", "038195001234", "01/10/2021",
               "Vero Cell", "22/10/2021", "Vero Cell", "05/12/2021", "Pfizer", "05/03/2022",
               "Pfizer"])
    ws.append(["Lê Văn Cường", "02/01/2001", "Nam", "035201001235", "01/09/2021", "Pfizer",
               "22/09/2021", "Pfizer", None, None, "05/10/2021", "Moderna"])
    wb.save(src)
    table = read_table(src)
    assert table.dose_layout.additional == 3
    mixed = DoseLayout(wide=table.dose_layout.wide, long={"site": 30}, additional=3)
    for layout in (table.dose_layout, mixed):
        result = validate_rows(table.rows, table.columns, today=TODAY, dose_layout=layout)
        recs = result.records
        assert [[d.number for d in r.doses] for r in recs] == [[1, 2, 3], [1, 2, 3, 4],
                                                               [1, 2, 3]]
        found = [[(f.code, f.field) for f in r.findings if f.code.startswith("DOSE")]
                 for r in recs]
        assert found == [[], [], [("DOSE102", "dose3_date")]]
        marks = {(row, col) for row, col, _sev, _text in mark_notes(table.columns, result)}
        assert (recs[2].row, 10) in marks and (recs[2].row, 8) not in marks  # K, not I


def test_one_row_per_dose_numbers_as_the_platform_counts():
    """After a "Mũi bổ sung" row the booster is dose 4; a repeated "Mũi nhắc lại" is the
    next dose; a number written first wins over the words after it."""
    rec = _long(("Mũi 1", "Vero Cell", "01/10/2021"), ("Mũi 2", "Vero Cell", "22/10/2021"),
                ("Mũi bổ sung", "Pfizer", "05/12/2021"),
                ("Mũi nhắc lại", "Pfizer", "05/03/2022"))
    assert [d.number for d in rec.doses] == [1, 2, 3, 4]
    assert [f.code for f in rec.findings] == []
    rec = _long(("Mũi 1", "Pfizer", "01/09/2021"), ("Mũi 2", "Pfizer", "22/09/2021"),
                ("Mũi nhắc lại", "Pfizer", "05/01/2022"),
                ("Mũi nhắc lại", "Moderna", "06/05/2022"))
    assert [d.number for d in rec.doses] == [1, 2, 3, 4]
    assert dose_number("4 (nhắc lại)") == 4 and dose_number("5 - nhắc lại lần 2") == 5
