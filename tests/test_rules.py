"""Each rule with real Vietnamese examples, on both sides of its boundary."""

from __future__ import annotations

import datetime as dt

import pytest

from vaxclean_xl.core.catalogue import all_rules
from vaxclean_xl.core.model import Category
from vaxclean_xl.core.validate import validate_rows

TODAY = dt.date(2026, 11, 25)
COLS = {"full_name": 0, "dob": 1, "sex": 2, "id_number": 3, "phone": 4, "hamlet": 5}
GOOD = ["Nguyễn Văn An", dt.datetime(1990, 5, 1), "Nam", "001090123456", "0912345678", "Xóm 1"]


def run(**changes: object):
    row = list(GOOD)
    for field, value in changes.items():
        row[COLS[field]] = value
    result = validate_rows([(7, row)], COLS, today=TODAY)
    return result.records[0]


def codes(**changes: object) -> set[str]:
    return {f.code for f in run(**changes).findings}


def test_good_record_is_ok():
    rec = run()
    assert rec.findings == [] and rec.category is Category.OK


def test_catalogue_is_complete_and_documented():
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules) >= 30
    for r in rules:
        assert r.message_vi and r.message_en and r.why and r.fix and r.example, r.code


# --- ID ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value,code", [
    ("", "ID001"), (None, "ID001"), ("Không có", "ID002"), ("chưa có", "ID002"),
    ("0", "ID002"), ("KHONG CO", "ID002"), ("000000000000", "ID002"), (0.0, "ID002"),
])
def test_no_id(value, code):
    rec = run(id_number=value)
    assert code in codes(id_number=value)
    assert rec.category is Category.NO_ID


@pytest.mark.parametrize("value,code,suggestion", [
    ("001 090 123 456", "ID003", "001090123456"),
    ("001.090.123.456", "ID003", "001090123456"),
    ("00109012345A", "ID004", None),
    (1090123456.0, "ID005", "001090123456"),  # 10 digits: 001–008 lose two zeros
    ("9990123456", "ID006", None),          # 10 digits that no zeros can fix
    ("40190123456", "ID005", "040190123456"),
    (40190123456.0, "ID005", "040190123456"),
    (40190123456, "ID005", "040190123456"),
    ("0010901234567", "ID006", None),       # 13 digits
    ("12345678", "ID006", None),            # 8 digits
    ("099090123456", "ID007", None),        # 099 not a province
    ("003090123456", "ID007", None),        # 003 unused
    ("296090123456", "ID007", None),        # above the abroad range
    ("001490123456", "ID008", None),        # 2190: after today
    ("001327123456", "ID008", None),        # 2027: after 2026
    ("4.01901E+11", "ID009", None),
])
def test_bad_id_format(value, code, suggestion):
    rec = run(id_number=value)
    hit = [f for f in rec.findings if f.code == code]
    assert hit, [f.code for f in rec.findings]
    assert hit[0].suggestion == suggestion
    assert rec.category is Category.BAD_ID_FORMAT


@pytest.mark.parametrize("value", [
    "001090123456", "079090123456", "096090123456", "101090123456", "295090123456",
    "123456789", "012345678",  # 9-digit CMND
])
def test_valid_id_formats(value):
    assert not {c for c in codes(id_number=value) if c.startswith("ID")}


def test_eleven_digits_that_cannot_become_a_cccd_is_wrong_length():
    # '0' + 99090123456 -> 099… is no province: not a lost zero, just 11 digits
    assert codes(id_number="99090123456") == {"ID006"}


def test_century_digit_boundary_this_year():
    # born in 2026 (digit 2, year 26) is possible; 2027 is not
    assert "ID008" not in codes(id_number="001226123456", dob="01/01/2026", sex="Nam")
    assert "ID008" in codes(id_number="001227123456")


def test_sex_digit_against_sex_column():
    assert codes(id_number="001190123456", sex="Nam") == {"ID101"}   # 1 = female 1900s
    assert codes(id_number="001190123456", sex="Nữ") == set()
    rec = run(id_number="001190123456", sex="Nam")
    f = rec.findings[0]
    assert f.also == ("sex",) and rec.category is Category.BAD_PERSONAL_INFO


def test_year_digits_against_dob():
    assert codes(dob="01/01/1991") == {"ID102"}
    assert codes(dob="31/12/1990") == set()
    # century: digit 2 means 2000s
    assert codes(id_number="001210123456", dob="01/01/1910") == {"ID102"}
    assert codes(id_number="001290123456", dob="01/01/1990") == {"ID008"}
    assert codes(id_number="001205123456", dob="01/01/2005") == set()


def test_shared_id_between_two_people_and_duplicate_person():
    rows = [
        (2, ["Nguyễn Văn An", "01/05/1990", "Nam", "001090123456", "", "Xóm 1"]),
        (3, ["Trần Văn Bình", "02/06/1990", "Nam", "001090123456", "", "Xóm 1"]),
        (4, ["Lê Văn Cường", "03/07/1990", "Nam", "001090654321", "", "Xóm 2"]),
        (5, ["lê văn cường", "03/07/1990", "Nam", "001090654321", "", "Xóm 2"]),
    ]
    recs = validate_rows(rows, COLS, today=TODAY).records
    assert [f.code for f in recs[0].findings] == ["ID103"]
    assert "3" in recs[0].findings[0].message and "2" in recs[1].findings[0].message
    assert recs[0].category is recs[1].category is Category.BAD_PERSONAL_INFO
    assert "REC001" in {f.code for f in recs[2].findings}
    assert recs[2].category is Category.OK  # a duplicate is a warning only



@pytest.mark.parametrize("value", [
    "Chưa có CCCD", "Đang làm CCCD", "Mất CMND", "Trẻ em", "chưa cấp", "CHUA CO CCCD",
    "Đã chuyển đi", "*", "x", "Không có số (mất thẻ)", "Ｘ",
])
def test_an_id_cell_without_any_digit_is_no_id_number(value):
    """Whatever its words, a cell with no digit holds no ID number (ID002, group NO_ID)."""
    rec = run(id_number=value)
    assert {f.code for f in rec.findings} == {"ID002"}
    assert rec.category is Category.NO_ID and rec.id_number == ""
    assert value in rec.findings[0].message  # the cell's words are shown to staff


@pytest.mark.parametrize("value", [
    "Chưa có CCCD 1", "Mất CMND số 12", "CCCD: 0", "\uff10\uff11\uff12", "00109012345A",
])
def test_an_id_cell_with_a_digit_is_not_no_id_number(value):
    """The other side of the boundary: one digit (ASCII or full-width) makes the cell a
    badly typed number (ID004, BAD_ID_FORMAT), never 'no ID number'."""
    rec = run(id_number=value)
    assert {f.code for f in rec.findings} == {"ID004"}
    assert rec.category is Category.BAD_ID_FORMAT


def test_words_in_id_cells_are_never_a_shared_id_number():
    """Two people whose ID cells carry the same words share no ID number (no ID103), and
    the same person twice with such words is not matched on them (no REC001)."""
    rows = [
        (2, ["Nguyễn Văn An", "01/05/1990", "Nam", "Đang làm CCCD", "", "Xóm 1"]),
        (3, ["Trần Văn Bình", "02/06/1990", "Nam", "Đang làm CCCD", "", "Xóm 1"]),
        (4, ["Lê Văn Cường", "03/07/1990", "Nam", "Mất CMND", "", "Xóm 2"]),
        (5, ["Lê Văn Cường", "03/07/1990", "Nam", "Mất CMND", "", "Xóm 2"]),
        (6, ["Phạm Thị Dung", "04/08/1990", "Nữ", "Trẻ em", "", "Xóm 2"]),
        (7, ["Đỗ Thị Em", "05/09/1990", "Nữ", "trẻ em", "", "Xóm 2"]),
    ]
    recs = validate_rows(rows, COLS, today=TODAY).records
    assert [[f.code for f in r.findings] for r in recs] == [["ID002"]] * 6
    assert all(r.category is Category.NO_ID for r in recs)
    # the other side: a number shared the same way is still ID103
    rows[1] = (3, ["Trần Văn Bình", "02/06/1990", "Nam", "00109012345A", "", "Xóm 1"])
    rows[0] = (2, ["Nguyễn Văn An", "01/05/1990", "Nam", "00109012345A", "", "Xóm 1"])
    recs = validate_rows(rows, COLS, today=TODAY).records
    assert "ID103" in {f.code for f in recs[0].findings}

# --- name ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "Nguyễn Văn An", "H'Hen Niê", "Ksor H'Ble", "Y Moan Êban", "Đỗ Thị Ánh Tuyết",
    "Lò Văn Pấng", "Nông Thị Ngọc", "Nguyễn Thị Ngọc-Anh", "Bế Văn Ðàn",
])
def test_valid_names(name):
    assert not {c for c in codes(full_name=name) if c.startswith("NAME")}


@pytest.mark.parametrize("name,code", [
    ("", "NAME001"), ("   ", "NAME001"), (None, "NAME001"),
    ("Nguyễn Văn A1", "NAME002"), ("Trần Thị @Hoa", "NAME002"), ("Lê Văn (Tý)", "NAME002"),
    ("Tèo", "NAME003"), ("NGUYỄN", "NAME003"),
])
def test_name_errors(name, code):
    rec = run(full_name=name)
    assert code in {f.code for f in rec.findings}
    assert rec.category is Category.BAD_PERSONAL_INFO


def test_legacy_names_get_unicode_suggestion():
    rec = run(full_name="NguyÔn V¨n H\u00ad¬ng")
    (f,) = [f for f in rec.findings if f.field == "full_name"]
    assert f.code == "NAME004" and f.suggestion == "Nguyễn Văn Hương"
    rec = run(full_name="Nguyeãn Vaên Huøng")
    (f,) = [f for f in rec.findings if f.field == "full_name"]
    assert f.code == "NAME005" and f.suggestion == "Nguyễn Văn Hùng"


def test_name_warnings_with_tidy_suggestion():
    rec = run(full_name="  Nguyễn   Văn An ")
    assert [(f.code, f.suggestion) for f in rec.findings] == [("NAME101", "Nguyễn Văn An")]
    assert rec.category is Category.OK
    rec = run(full_name="NGUYỄN VĂN AN")
    assert [(f.code, f.suggestion) for f in rec.findings] == [("NAME103", "Nguyễn Văn An")]
    rec = run(full_name="H'HEN NIÊ", sex="Nữ", id_number="066190123456")
    assert [(f.code, f.suggestion) for f in rec.findings] == [("NAME103", "H'Hen Niê")]
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Nguyễn Văn An")
    rec = run(full_name=nfd)
    assert [(f.code, f.suggestion) for f in rec.findings] == [("NAME102", "Nguyễn Văn An")]
    assert rec.full_name == "Nguyễn Văn An"


# --- date of birth ----------------------------------------------------------------------

@pytest.mark.parametrize("value,code", [
    ("", "DOB001"), (None, "DOB001"),
    ("31/02/1990", "DOB002"), ("15/13/1990", "DOB002"), ("00/00/1990", "DOB002"),
    ("1990", "DOB003"), (1990.0, "DOB003"), ("năm 1990", "DOB003"),
    ("26/11/2026", "DOB004"), (dt.datetime(2030, 1, 1), "DOB004"),
    ("24/11/1906", "DOB005"),
    ("5/3/90", "DOB006"), ("mùng 5 tháng 3", "DOB006"),
])
def test_dob_errors(value, code):
    rec = run(dob=value, id_number="123456789")
    assert code in {f.code for f in rec.findings}, [f.code for f in rec.findings]
    assert rec.category is Category.BAD_PERSONAL_INFO


def dob_finding(dob: object, id_number: object, sex: str = "Nam"):
    rec = run(dob=dob, id_number=id_number, sex=sex)
    return rec, [f for f in rec.findings if f.field == "dob"]


@pytest.mark.parametrize("dob,id_number,sex,suggestion", [
    ("19/10/47", "001047000123", "Nam", "19/10/1947"),    # digit 4 = 0: 1900s
    ("5/3/05", "001305000123", "Nữ", "05/03/2005"),       # digit 4 = 3: 2000s
    ("01.12.20", "001020000123", "Nam", "01/12/1920"),    # a person over 100: 1920, not 2020
    ("01-12-20", "001220000123", "Nam", "01/12/2020"),
    (" 19 / 10 / 47 ", "001047000123", "Nam", "19/10/1947"),
])
def test_two_digit_year_gets_the_century_of_the_cccd(dob, id_number, sex, suggestion):
    rec, found = dob_finding(dob, id_number, sex)
    assert [(f.code, f.suggestion) for f in found] == [("DOB006", suggestion)]
    assert rec.dob is None and rec.category is Category.BAD_PERSONAL_INFO  # still an error
    assert [f.code for f in rec.findings] == ["DOB006"]


@pytest.mark.parametrize("dob,id_number", [
    ("19/10/47", "001048000123"),      # the CCCD says 1948: which one is wrong is not known
    ("19/10/47", "123456789"),         # a 9-digit CMND holds no year
    ("19/10/47", ""),                  # no ID
    ("19/10/47", "01047000123"),       # lost its zero: not valid as typed
    ("19/10/47", "001 047 000 123"),   # separators: not valid as typed
    ("19/10/47", "099047000123"),      # not a province code
    ("31/02/47", "001047000123"),      # no 31 February in any century
    ("24/12/26", "001226000123"),      # 24/12/2026 is after today
    ("19/10/1947", "001047000123"),    # already a full date: no DOB finding at all
])
def test_two_digit_year_without_a_certain_century_has_no_suggestion(dob, id_number):
    _rec, found = dob_finding(dob, id_number)
    assert all(f.suggestion is None for f in found)
    assert [f.code for f in found] == ([] if dob == "19/10/1947" else ["DOB006"])


@pytest.mark.parametrize("value", [
    "01/05/1990", "1/5/1990", "01-05-1990", "01.05.1990", "1990-05-01", 32994.0,
    dt.datetime(1990, 5, 1), dt.date(1990, 5, 1), "01/01/1990", "01/05/1990 00:00:00",
])
def test_valid_dob_forms(value):
    rec = run(dob=value)
    assert rec.dob == (dt.date(1990, 5, 1) if value != "01/01/1990" else dt.date(1990, 1, 1))
    assert not rec.findings


def test_dob_boundaries_today_and_120_years():
    assert "DOB004" not in codes(dob="25/11/2026", id_number="123456789")
    assert "DOB005" not in codes(dob="25/11/1906", id_number="123456789")
    assert "DOB005" in codes(dob="24/11/1906", id_number="123456789")


# --- sex ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["Nam", "nam", "NAM", " Nam "])
def test_sex_male(value):
    assert codes(sex=value) == set()


@pytest.mark.parametrize("value", ["Nữ", "nữ", "NỮ", "Nu", "nu", "NU"])
def test_sex_female(value):
    assert codes(sex=value, id_number="001190123456") == set()


@pytest.mark.parametrize("value,code", [
    ("", "SEX001"), (None, "SEX001"), ("x", "SEX002"), ("?", "SEX002"), ("N", "SEX002"),
    ("Không rõ", "SEX002"), (1.0, "SEX002"),
])
def test_sex_errors(value, code):
    assert code in codes(sex=value)


# --- phone, hamlet -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0912345678", "0362345678", "+84 912 345 678",
                                   "0912.345.678", "", None, "02438253531"])
def test_valid_phones(value):
    assert not {c for c in codes(phone=value) if c.startswith("PHONE")}


@pytest.mark.parametrize("value,code,suggestion", [
    ("01682345678", "PHONE002", "0382345678"),
    ("0122 234 5678", "PHONE002", "0772345678"),
    ("01992345678", "PHONE002", "0592345678"),
    (912345678.0, "PHONE003", "0912345678"),
    ("09123", "PHONE001", None),
    ("0112345678", "PHONE001", None),
])
def test_phone_warnings(value, code, suggestion):
    rec = run(phone=value)
    (f,) = rec.findings
    assert (f.code, f.suggestion) == (code, suggestion)
    assert rec.category is Category.OK


def test_missing_hamlet_is_a_warning():
    rec = run(hamlet="")
    assert [f.code for f in rec.findings] == ["HAMLET001"]
    assert rec.category is Category.OK


def test_group_precedence():
    # NO_ID beats everything, BAD_ID_FORMAT beats BAD_PERSONAL_INFO
    assert run(id_number="", full_name="Tèo").category is Category.NO_ID
    assert run(id_number="40190123456", full_name="Tèo").category is Category.BAD_ID_FORMAT
    assert run(full_name="Tèo").category is Category.BAD_PERSONAL_INFO


def test_columns_absent_are_not_checked():
    result = validate_rows([(2, ["Nguyễn Văn An", "01/05/1990"])],
                           {"full_name": 0, "dob": 1}, today=TODAY)
    assert result.records[0].findings == []


def test_phone_validity_cache_equals_libphonenumber_patterns():
    """The (length, prefix) cache gives the same verdict as the patterns themselves."""
    import random

    from vaxclean_xl.core.rules.phone import _valid_pattern, is_valid_vn

    rnd = random.Random(5)
    for _ in range(20_000):
        n = "0" + "".join(rnd.choice("0123456789") for _ in range(rnd.randint(5, 11)))
        assert is_valid_vn(n) == (_valid_pattern().fullmatch(n[1:]) is not None), n
