"""Vaccination histories of the sample's people: two to four doses each, laid out like the
platform's import template ("Tên vắc xin" before each group "Mũi 1", "Mũi 2", … over
"Ngày tiêm", "Lô vắc xin", "Địa điểm tiêm").

The schedules follow ../shared/reference/vaccination-history.md (sections 2–3) with margins
on every boundary, so that a clean history is clean under any reasonable reading of the
guidance: adults from March 2021, 12–17 from November 2021 (Pfizer), 5–11 from late April
2022 (Pfizer), primary gaps inside the recommended windows, boosters at least 100 days
after the primary series and from 2022, a fourth dose only for adults four months or more
after the third. They are written here, apart from the catalogue the rules read
(templates/vaccines/), so that the sample tests the rules instead of mirroring them.

Histories are drawn from their own random stream (seeded from the list's seed), after the
person is drawn: the identity content of a list does not depend on them.
"""

from __future__ import annotations

import datetime as _dt
import random
from dataclasses import dataclass

VACCINE_HEADER = "Tên vắc xin"
DOSE_GROUPS: tuple[str, ...] = ("Mũi 1", "Mũi 2", "Mũi 3 (nhắc lại)", "Mũi 4 (nhắc lại lần 2)")
DOSE_SUBHEADERS: tuple[str, ...] = ("Ngày tiêm", "Lô vắc xin", "Địa điểm tiêm")
MAX_DOSES = len(DOSE_GROUPS)
DOSE_WIDTHS = (13, 12, 12, 12)  # vaccine, date, lot, site

_D = _dt.date
# Adults' first doses: when each vaccine was given in communes (well after its approval).
_ADULT_FROM: dict[str, _dt.date] = {
    "AstraZeneca": _D(2021, 3, 15), "Vero Cell": _D(2021, 6, 20), "Pfizer": _D(2021, 7, 10),
    "Moderna": _D(2021, 7, 10), "Sputnik V": _D(2021, 8, 1), "Hayat-Vax": _D(2021, 10, 1),
    "Abdala": _D(2021, 10, 1),
}
_ADULT_WEIGHT = {"AstraZeneca": 30, "Vero Cell": 30, "Pfizer": 20, "Moderna": 10,
                 "Sputnik V": 3, "Hayat-Vax": 3, "Abdala": 4}
_ADULT_WINDOW = (_D(2021, 3, 15), _D(2022, 2, 28))
_TEEN_WINDOW = (_D(2021, 11, 1), _D(2022, 4, 10))  # 12–17 began 27/10/2021
_CHILD_WINDOW = (_D(2022, 4, 20), _D(2022, 10, 31))  # 5–11 began 14/04/2022
# Primary-series gaps (days), inside the recommended windows.
_GAP: dict[str, tuple[int, int]] = {
    "AstraZeneca": (56, 84), "Pfizer": (21, 35), "Moderna": (28, 42), "Vero Cell": (21, 30),
    "Hayat-Vax": (21, 30), "Sputnik V": (21, 30), "Abdala": (14, 21),
}
_PRIMARY_DOSES = {"Abdala": 3}
_BOOSTERS = ("Pfizer", "Pfizer", "Pfizer", "AstraZeneca", "AstraZeneca", "Moderna", "Moderna")
_BOOSTER_FROM = _D(2022, 1, 3)
_TEEN_BOOSTER_FROM = _D(2022, 8, 15)
_FOURTH_FROM = _D(2022, 6, 1)


# Injected dose problems (each gives exactly one finding on one dose) and their relative
# frequency; the codes are core/rules/dose.py's. Every kind occurs once before the mix turns
# random, so even a small list covers them all.
DOSE_ERROR_MIX: dict[str, int] = {
    "DOSE001": 3, "DOSE002": 1, "DOSE003": 2, "DOSE004": 2, "DOSE008": 2, "DOSE009": 3,
    "DOSE010": 2, "DOSE011": 3, "DOSE012": 2,
}
DOSE_WARNING_MIX: dict[str, int] = {
    "DOSE101": 2, "DOSE102": 2, "DOSE103": 1, "DOSE104": 5, "DOSE105": 4, "DOSE106": 3,
}
DOSE_ERROR_RATE = 0.04  # share of the people with doses that get one dose error
DOSE_WARNING_RATE = 0.06  # … and one dose warning (never both)
# Other spellings staff type (reference 2.2), and names that are no approved vaccine.
_ALIASES: dict[str, tuple[str, ...]] = {
    "AstraZeneca": ("Astra", "AZ", "Astra Zeneca", "Covishield", "AZD1222"),
    "Pfizer": ("Fizer", "Pfize", "Comirnaty", "Pfizer-BioNTech"),
    "Moderna": ("Spikevax", "mRNA-1273"),
    "Vero Cell": ("Verocell", "Sinopharm", "Vero-Cell"),
    "Sputnik V": ("Gam-COVID-Vac",),
    "Hayat-Vax": ("Hayat Vax", "Hayatvax"),
    "Abdala": ("Abdala (Cuba)",),
}
_UNKNOWN_VACCINES = ("Nanocovax", "Covivac", "Không rõ", "ARCT-154")
_BAD_DATES = ("31/02/{y}", "30/02/{y}", "{d}/13/{y}", "00/{m}/{y}", "31/04/{y}", "{d}/{m}")
_FIRST_APPROVED = {"Vero Cell": _D(2021, 6, 3), "Pfizer": _D(2021, 6, 12),
                   "Moderna": _D(2021, 6, 29)}


@dataclass(frozen=True, slots=True)
class SampleDose:
    """One dose as the sample writes it."""

    vaccine: str
    date: _dt.date
    lot: str
    site: str
    date_as_text: bool  # typed "dd/mm/yyyy" instead of an Excel date


@dataclass(slots=True)
class WrittenDose:
    """The cells of one dose group as written (None: blank)."""

    vaccine: str | None
    date: object  # date (Excel date) | str | None
    lot: str | None
    site: str | None

    @classmethod
    def of(cls, dose: SampleDose) -> WrittenDose:
        d = dose.date
        shown: object = f"{d.day:02d}/{d.month:02d}/{d.year}" if dose.date_as_text else d
        return cls(dose.vaccine, shown, dose.lot, dose.site)


def _age(born: _dt.date, day: _dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _birthday(born: _dt.date, years: int) -> _dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return _D(born.year + years, 3, 1)


class DoseGenerator:
    """Histories for the people of one list (its own random stream)."""

    def __init__(self, seed: int, today: _dt.date, province_code: str) -> None:
        self.rng = random.Random(f"vaxclean-sample-doses-{seed}")
        self.last_day = today - _dt.timedelta(days=1)
        rng = self.rng
        prov = province_code[-2:]
        # KCB codes (province + 3 digits): the commune station, the district centre, others.
        self.station_site = f"{prov}{rng.randint(100, 999)}"
        self.district_site = f"{prov}{rng.randint(0, 99):03d}"
        self.other_sites = tuple(f"{prov}{rng.randint(100, 999)}" for _ in range(3))
        self.lots: dict[tuple[str, int, int], list[str]] = {}
        self.today = today
        self.cycle = [*DOSE_ERROR_MIX, *DOSE_WARNING_MIX]
        rng.shuffle(self.cycle)

    # --- cells --------------------------------------------------------------------------------

    def _site(self) -> str:
        roll = self.rng.random()
        if roll < 0.72:
            return self.station_site
        if roll < 0.92:
            return self.district_site
        return self.rng.choice(self.other_sites)

    def _lot(self, vaccine: str, day: _dt.date) -> str:
        """A lot of that vaccine delivered that month (a station uses few lots a month)."""
        key = (vaccine, day.year, day.month)
        pool = self.lots.get(key)
        if pool is None:
            pool = self.lots[key] = [self._new_lot(vaccine, day) for _ in range(2)]
        return self.rng.choice(pool)

    def _new_lot(self, vaccine: str, day: _dt.date) -> str:
        rng = self.rng
        n = rng.randint(0, 9999)
        if vaccine == "AstraZeneca":
            return f"{rng.choice(('ABV', 'ABW', 'NU', 'MT', 'PW'))}{n:04d}"
        if vaccine == "Pfizer":
            return rng.choice((f"F{rng.choice('FGJKL')}{n:04d}", f"1F{n:04d}A"))
        if vaccine == "Moderna":
            return rng.choice((f"{rng.randint(3000000, 3009999)}", f"0{n:04d}{rng.choice('ABC')}"))
        if vaccine in ("Vero Cell", "Hayat-Vax"):
            prefix = "HB" if vaccine == "Hayat-Vax" else ""
            return f"{prefix}{day.year}{day.month:02d}B{n:04d}"
        if vaccine == "Sputnik V":
            return f"II-{rng.randint(100000, 999999)}"
        return f"A{n:04d}"  # Abdala

    def _dose(self, vaccine: str, day: _dt.date) -> SampleDose:
        return SampleDose(vaccine, day, self._lot(vaccine, day), self._site(),
                          self.rng.random() < 0.15)

    def _day(self, lo: _dt.date, hi: _dt.date) -> _dt.date:
        return _dt.date.fromordinal(self.rng.randint(lo.toordinal(), hi.toordinal()))

    # --- schedules ----------------------------------------------------------------------------

    def history(self, born: _dt.date | None, shown: _dt.date | None) -> list[SampleDose]:
        """Doses of one person: ``born`` the true date of birth, ``shown`` the date of birth
        the list shows when it differs (an injected error): the history must be valid for
        both, since the rules can only see the shown one."""
        if born is None:
            return []
        dobs = [born] if shown is None or shown == born else [born, shown]
        youngest, oldest = max(dobs), min(dobs)
        rng = self.rng
        first = self._first_day(youngest)
        if first is None:
            return []
        day, kind = first
        if kind == "adult":
            vaccines = [v for v, start in _ADULT_FROM.items() if start <= day
                        and (v != "Abdala" or (_age(oldest, day + _dt.timedelta(days=90)) <= 64
                                               and _age(youngest, day) >= 20))]
            primary = rng.choices(vaccines, [_ADULT_WEIGHT[v] for v in vaccines])[0]
        else:
            primary = "Pfizer"
        gap_lo, gap_hi = _GAP[primary]
        if kind == "child":
            gap_lo = 28
        doses = [self._dose(primary, day)]
        for _ in range(_PRIMARY_DOSES.get(primary, 2) - 1):
            day = day + _dt.timedelta(days=rng.randint(gap_lo, gap_hi))
            second = primary
            if (primary == "AstraZeneca" and day >= _ADULT_FROM["Pfizer"]
                    and rng.random() < 0.15):
                second = "Pfizer"  # AZ then Pfizer: allowed from the start
            doses.append(self._dose(second, day))
        if primary == "Abdala" or kind == "child":
            return self._until_today(doses)
        adult_now = _age(youngest, day + _dt.timedelta(days=300)) >= 18
        if adult_now and rng.random() < 0.7:
            start = max(day + _dt.timedelta(days=100), _BOOSTER_FROM)
            day = self._day(start, start + _dt.timedelta(days=140))
            if _age(youngest, day) >= 18:
                doses.append(self._dose(rng.choice(_BOOSTERS), day))
                if rng.random() < 0.4:
                    start = max(day + _dt.timedelta(days=130), _FOURTH_FROM)
                    day = self._day(start, start + _dt.timedelta(days=120))
                    doses.append(self._dose(rng.choice(("Pfizer", "Moderna", "AstraZeneca")),
                                            day))
        elif not adult_now and rng.random() < 0.4:
            start = max(day + _dt.timedelta(days=160), _TEEN_BOOSTER_FROM)
            doses.append(self._dose("Pfizer", self._day(start, start + _dt.timedelta(days=60))))
        return self._until_today(doses)

    def _first_day(self, youngest: _dt.date) -> tuple[_dt.date, str] | None:
        """The first dose's day and the person's phase (adult, teen, child), or None when
        the person was too young for any vaccine until today."""
        for kind, (lo, hi), age in (("adult", _ADULT_WINDOW, 18), ("teen", _TEEN_WINDOW, 12),
                                    ("child", _CHILD_WINDOW, 5)):
            lo = max(lo, _birthday(youngest, age) + _dt.timedelta(days=7))
            hi = min(hi, self.last_day)
            if kind == "teen":  # a teen's whole primary series stays under 18
                hi = min(hi, _birthday(youngest, 18) - _dt.timedelta(days=60))
            if lo <= hi:
                if kind == "adult":  # most adults had their first dose in Jul–Nov 2021
                    peak = (max(lo, _D(2021, 7, 1)), min(hi, _D(2021, 11, 30)))
                    if peak[0] <= peak[1] and self.rng.random() < 0.75:
                        lo, hi = peak
                return self._day(lo, hi), kind
        return None

    def _until_today(self, doses: list[SampleDose]) -> list[SampleDose]:
        return [d for d in doses if d.date <= self.last_day]

    # --- injected problems --------------------------------------------------------------------

    def written(self, doses: list[SampleDose], born: _dt.date | None,
                shown: _dt.date | None, inject: bool) -> tuple[list[WrittenDose], str | None]:
        """The cells of a history, with one injected problem on some people (``inject``):
        (cells per dose, the code the rules must find or None)."""
        cells = [WrittenDose.of(d) for d in doses]
        if not inject or len(doses) < 2 or born is None:
            return cells, None
        roll = self.rng.random()
        if roll >= DOSE_ERROR_RATE + DOSE_WARNING_RATE:
            return cells, None
        if self.cycle:
            kind = self.cycle.pop()
        else:
            mix = DOSE_ERROR_MIX if roll < DOSE_ERROR_RATE else DOSE_WARNING_MIX
            kind = self.rng.choices(list(mix), list(mix.values()))[0]
        dobs = [born] if shown is None else [born, shown]
        return cells, (kind if self._spoil(kind, doses, cells, dobs) else None)

    def _spoil(self, kind: str, doses: list[SampleDose], cells: list[WrittenDose],
               dobs: list[_dt.date]) -> bool:
        """Put problem ``kind`` into ``cells``; False (cells unchanged) when this history
        cannot carry it alone."""
        rng = self.rng
        k = rng.randrange(len(doses))
        dose, cell = doses[k], cells[k]
        if kind == "DOSE104":
            cell.vaccine = rng.choice(_ALIASES[dose.vaccine])
        elif kind == "DOSE105":
            cell.lot = None
        elif kind == "DOSE106":
            cell.site = None
        elif kind == "DOSE012":
            cell.vaccine = rng.choice(_UNKNOWN_VACCINES)
        elif kind == "DOSE010":
            cell.vaccine = None
        elif kind == "DOSE011":
            cell.date = None
        elif kind == "DOSE001":
            d = dose.date
            cell.date = rng.choice(_BAD_DATES).format(d=d.day, m=d.month, y=d.year)
        elif kind == "DOSE009":  # the first dose left out: the later ones stand alone
            cells[0] = WrittenDose(None, None, None, None)
        elif kind == "DOSE002":  # the last dose typed a year late, after today
            last = doses[-1].date
            late = _birthday(last, 1)
            if late <= self.today:
                late = self.today + _dt.timedelta(days=rng.randint(5, 90))
            cells[-1].date = late
        elif kind == "DOSE003":  # the first dose typed with the year before
            first = doses[0].date
            early = _birthday(first, -1)
            if early >= _D(2021, 3, 8):
                return False
            cells[0].date = early
        elif kind == "DOSE004":  # the first dose's month typed as April, before approval
            first = doses[0]
            approved = _FIRST_APPROVED.get(first.vaccine)
            early = _D(2021, 4, min(first.date.day, 28))
            if (approved is None or first.date < approved or early >= approved
                    or any(_age(b, early) < 19 for b in dobs)):
                return False
            cells[0].date = early
        elif kind == "DOSE008":  # dose 1 and dose 2 dates swapped
            if doses[0].vaccine != doses[1].vaccine or doses[0].date == doses[1].date:
                return False
            cells[0].date, cells[1].date = cells[1].date, cells[0].date
        elif kind == "DOSE101":  # dose 2 too soon after dose 1 (same vaccine)
            first, second = doses[0], doses[1]
            if first.vaccine != second.vaccine or first.vaccine == "Abdala":
                return False
            soon = 14 if first.vaccine == "AstraZeneca" else 10
            cells[1].date = first.date + _dt.timedelta(days=rng.randint(soon - 3, soon))
        elif kind == "DOSE102":  # the first booster 45–70 days after the primary series
            if len(doses) < 3 or doses[0].vaccine not in ("AstraZeneca", "Pfizer", "Moderna"):
                return False
            early = doses[1].date + _dt.timedelta(days=rng.randint(45, 70))
            if early < _D(2021, 12, 1) or any(_age(b, early) < 18 for b in dobs):
                return False
            cells[2].date = early
        elif kind == "DOSE103":  # Vero Cell then Pfizer: mixing outside the allowed pairs
            if doses[0].vaccine != "Vero Cell" or doses[1].vaccine != "Vero Cell":
                return False
            cells[1].vaccine, cells[1].lot = "Pfizer", self._lot("Pfizer", doses[1].date)
        else:  # pragma: no cover - the mixes and this function are kept in step
            raise AssertionError(kind)
        return True
