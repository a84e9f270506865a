"""The DOSE rules at the edges `test_doses` leaves out: each vaccine's approval day, the
second-dose minimum of every vaccine, the additional dose's 28 days apart from the start
of boosters, month-end due dates, the mixing pairs allowed from 08/09/2021, and the
near side of dates of birth and readable dates. Values from the shipped catalogue
(tolerance 4 days); each case on both sides of its boundary."""

from __future__ import annotations

import pytest

from tests.test_doses import PARTS, codes, dose, run
from vaxclean_xl.core.model import DoseLayout

WIDE5 = DoseLayout(wide={n: {p: 4 + 4 * (n - 1) + i for i, p in enumerate(PARTS)}
                         for n in (1, 2, 3, 4, 5)})


@pytest.mark.parametrize("text,expected", [
    ("8/3/2021", []), ("8/3/21", ["DOSE001"]),
])
def test_dose001_year_in_full(text, expected):
    assert codes(dose("AstraZeneca", text)) == expected


@pytest.mark.parametrize("text,expected", [("28/02/2022", []), ("29/02/2022", ["DOSE001"])])
def test_dose001_day_that_exists(text, expected):
    assert codes(dose("Pfizer", "01/09/2021"), dose("Pfizer", text)) == expected


@pytest.mark.parametrize("vaccine,approved,day_before", [
    ("Sputnik V", "23/03/2021", "22/03/2021"),
    ("Vero Cell", "03/06/2021", "02/06/2021"),
    ("Pfizer", "12/06/2021", "11/06/2021"),
    ("Janssen", "15/07/2021", "14/07/2021"),
    ("Hayat-Vax", "10/09/2021", "09/09/2021"),
    ("Abdala", "17/09/2021", "16/09/2021"),
    ("Covaxin", "10/11/2021", "09/11/2021"),
])
def test_dose004_each_vaccine_on_its_approval_day(vaccine, approved, day_before):
    assert codes(dose(vaccine, approved)) == []
    assert codes(dose(vaccine, day_before)) == ["DOSE004"]


def test_dose005_on_the_birth_day_is_not_before_birth():
    assert codes(dose("Pfizer", "01/09/2021"), dob="01/09/2021") == ["DOSE006"]
    assert codes(dose("Pfizer", "14/04/2022"), dob="15/04/2022") == ["DOSE005"]


def test_dose006_children_from_14_04_2022():
    """A ten-year-old: too young the day before 14/04/2022, of age that day."""
    assert codes(dose("Pfizer", "13/04/2022"), dob="01/01/2012") == ["DOSE006"]
    assert codes(dose("Pfizer", "14/04/2022"), dob="01/01/2012") == []


def test_dose006_twelve_to_seventeen_from_27_10_2021():
    assert codes(dose("Pfizer", "26/10/2021"), dob="01/01/2006") == ["DOSE006"]
    assert codes(dose("Pfizer", "27/10/2021"), dob="01/01/2006") == []


def test_dose007_covaxin_adults_only():
    assert codes(dose("Covaxin", "01/05/2022"), dob="01/05/2004") == []
    assert codes(dose("Covaxin", "01/05/2022"), dob="02/05/2004") == ["DOSE007"]


def test_dose008_same_day_is_not_out_of_order():
    """Two doses the same day are in order; the interval rule speaks instead."""
    assert codes(dose("Pfizer", "22/09/2021"), dose("Pfizer", "22/09/2021")) == ["DOSE101"]


def test_dose011_silent_without_a_date_column():
    only_vaccine = DoseLayout(wide={1: {"vaccine": 4}})
    assert codes(["Pfizer"], layout=only_vaccine) == []


def test_dose012_suggests_only_a_certain_vaccine():
    """A two-letter alias inside other words is not certain enough; a longer one is."""
    rec = run(dose("Vắc xin AZ", "01/07/2021"))
    [f] = [f for f in rec.findings if f.code.startswith("DOSE")]
    assert (f.code, f.suggestion) == ("DOSE012", None)
    rec = run(dose("Vắc xin Astra", "01/07/2021"))
    [f] = [f for f in rec.findings if f.code.startswith("DOSE")]
    assert (f.code, f.suggestion) == ("DOSE012", "AstraZeneca")


@pytest.mark.parametrize("vaccine,first,enough,short", [
    ("Moderna", "01/08/2021", "25/08/2021", "24/08/2021"),
    ("Vero Cell", "01/08/2021", "18/08/2021", "17/08/2021"),
    ("Sputnik V", "01/08/2021", "18/08/2021", "17/08/2021"),
    ("Hayat-Vax", "01/10/2021", "18/10/2021", "17/10/2021"),
    ("Covaxin", "01/12/2021", "25/12/2021", "24/12/2021"),
    ("Abdala", "01/10/2021", "11/10/2021", "10/10/2021"),
])
def test_dose101_second_dose_minimum_of_each_vaccine(vaccine, first, enough, short):
    assert codes(dose(vaccine, first), dose(vaccine, enough)) == []
    assert codes(dose(vaccine, first), dose(vaccine, short)) == ["DOSE101"]


def test_dose101_abdala_third_dose_is_primary():
    two = [dose("Abdala", "01/10/2021"), dose("Abdala", "15/10/2021")]
    assert codes(*two, dose("Abdala", "25/10/2021")) == []
    rec = run(*two, dose("Abdala", "24/10/2021"))
    assert [(f.code, f.field) for f in rec.findings if f.code.startswith("DOSE")] == [
        ("DOSE101", "dose3_date")]


def test_dose101_mixed_pair_keeps_the_first_vaccines_minimum():
    """AstraZeneca then Pfizer: the interval after dose 1 is AstraZeneca's (4 weeks, as
    allowed locally), not Pfizer's."""
    az = dose("AstraZeneca", "01/07/2021")
    assert codes(az, dose("Pfizer", "29/07/2021")) == []
    assert codes(az, dose("Pfizer", "28/07/2021")) == ["DOSE101"]


@pytest.mark.parametrize("series", ["Vero Cell", "Sputnik V", "Hayat-Vax"])
def test_dose102_additional_dose_28_days(series):
    """Vero Cell, Sputnik V and Hayat-Vax get an additional dose at least 28 days after the
    primary series (dates after boosters began, so only the 28 days decide)."""
    primary = [dose(series, "01/11/2021"), dose(series, "22/11/2021")]
    assert codes(*primary, dose("Pfizer", "20/12/2021")) == []
    rec = run(*primary, dose("Pfizer", "19/12/2021"))
    [f] = [f for f in rec.findings if f.code.startswith("DOSE")]
    assert f.code == "DOSE102" and "ít nhất 28 ngày" in f.message and "20/12/2021" in f.message


def test_dose102_additional_dose_before_boosters_began():
    primary = [dose("Vero Cell", "01/10/2021"), dose("Vero Cell", "22/10/2021")]
    assert codes(*primary, dose("Pfizer", "01/12/2021")) == []
    rec = run(*primary, dose("Pfizer", "30/11/2021"))
    [f] = [f for f in rec.findings if f.code.startswith("DOSE")]
    assert f.code == "DOSE102" and "trước khi bắt đầu tiêm mũi nhắc lại" in f.message


def test_dose102_vero_cell_boosters_after_the_additional_dose():
    """Vero Cell: dose 3 is the additional dose, dose 4 the first booster (3 months), dose 5
    the second (4 months)."""
    three = [dose("Vero Cell", "01/11/2021"), dose("Vero Cell", "22/11/2021"),
             dose("Pfizer", "20/12/2021")]
    assert codes(*three, dose("Pfizer", "20/03/2022"), layout=WIDE5) == []
    assert codes(*three, dose("Pfizer", "19/03/2022"), layout=WIDE5) == ["DOSE102"]
    four = [*three, dose("Pfizer", "20/03/2022")]
    assert codes(*four, dose("Pfizer", "20/07/2022"), layout=WIDE5) == []
    assert codes(*four, dose("Pfizer", "19/07/2022"), layout=WIDE5) == ["DOSE102"]


def test_dose102_month_ends():
    """30/11 + 3 months is 28/02 (February has no 30th); 31/12 + 4 months is 30/04."""
    primary = [dose("Pfizer", "09/11/2021"), dose("Pfizer", "30/11/2021")]
    assert codes(*primary, dose("Pfizer", "28/02/2022")) == []
    assert codes(*primary, dose("Pfizer", "27/02/2022")) == ["DOSE102"]
    three = [dose("Pfizer", "01/09/2021"), dose("Pfizer", "22/09/2021"),
             dose("Pfizer", "31/12/2021")]
    assert codes(*three, dose("Pfizer", "30/04/2022")) == []
    assert codes(*three, dose("Pfizer", "29/04/2022")) == ["DOSE102"]


def test_dose102_janssen_booster_three_months_after_the_single_dose():
    janssen = dose("Janssen", "01/10/2021")
    assert codes(janssen, dose("Pfizer", "01/01/2022")) == []
    assert codes(janssen, dose("Pfizer", "31/12/2021")) == ["DOSE102"]


@pytest.mark.parametrize("first,second", [("Pfizer", "Moderna"), ("Moderna", "Pfizer")])
def test_dose103_pfizer_and_moderna_from_08_09_2021(first, second):
    assert codes(dose(first, "01/08/2021"), dose(second, "08/09/2021")) == []
    assert codes(dose(first, "01/08/2021"), dose(second, "07/09/2021")) == ["DOSE103"]


def test_dose103_other_pairs():
    assert codes(dose("Hayat-Vax", "01/10/2021"), dose("Vero Cell", "01/11/2021")) == []
    assert codes(dose("Pfizer", "01/08/2021"), dose("AstraZeneca", "01/10/2021")) == [
        "DOSE103"]
    rec = run(dose("Abdala", "01/10/2021"), dose("Abdala", "15/10/2021"),
              dose("Pfizer", "29/10/2021"))
    assert [(f.code, f.field) for f in rec.findings if f.code.startswith("DOSE")] == [
        ("DOSE103", "dose3_vaccine")]


def test_dose105_106_spaces_are_missing():
    assert codes(dose("Pfizer", "01/09/2021", "   ", "01004")) == ["DOSE105"]
    assert codes(dose("Pfizer", "01/09/2021", "FF1234", "  ")) == ["DOSE106"]
