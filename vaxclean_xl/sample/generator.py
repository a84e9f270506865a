"""The record generator: clean people consistent by construction, and exactly one
injected error (or warning) on the records that get one."""

from __future__ import annotations

import datetime as _dt
import random
from dataclasses import dataclass, replace

from vaxclean_xl.core.provinces import PROVINCES
from vaxclean_xl.sample.names import (
    _EDE_CLANS,
    _EDE_GIVEN,
    _FAMILY,
    _GIVEN,
    _HMONG_CLANS,
    _HMONG_GIVEN,
    _HMONG_MIDDLE,
    _JRAI_CLANS,
    _JRAI_GIVEN,
    _MIDDLE,
    _NICKNAMES,
    _SECOND_MIDDLE,
    to_tcvn3,
    to_vni,
)
from vaxclean_xl.sample.places import _COMMUNES, _HAMLET_NAMES
from vaxclean_xl.sample.spec import ERROR_MIX, PAIR_RATE, WARNING_MIX, WARNING_RATE

# --- records ---------------------------------------------------------------------------------

@dataclass(slots=True)
class _Person:
    name: str
    sex: str  # "M" / "F"
    dob: _dt.date
    id_number: str  # canonical, valid
    minority: bool


@dataclass(slots=True)
class _Row:
    name: str | None
    name_font: str  # "normal", "tcvn3", "vni"
    dob: object  # date (Excel date) | str | int | None
    sex: str | None
    id_value: object  # str (text cell) | int (number cell) | None
    phone: object  # str | int | None
    hamlet: str | None
    address: str
    bhyt: str
    group: str
    note: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    born: _dt.date | None = None  # the person's true date of birth (their doses follow it)


_PLACEHOLDERS = ("Không có", "chưa có", "0", "Không", "KO", "Chưa cấp", "Không có CCCD",
                 "Chưa làm CCCD", "x", "-", "000000000000", "Chưa")
_SEX_JUNK = ("x", "?", "N", "Không rõ", "Nam/Nữ", "1")
_ID_LETTERS = {"0": "O", "1": "l", "5": "S", "8": "B", "6": "G", "2": "Z"}
_MOBILE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "056", "058",
                    "059", "070", "076", "077", "078", "079", "081", "082", "083", "084",
                    "085", "086", "088", "090", "091", "093", "094", "096", "097", "098",
                    "099")
_OLD_PREFIX = {"0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
               "0167": "037", "0168": "038", "0169": "039", "0120": "070", "0121": "079",
               "0122": "077", "0126": "076", "0128": "078", "0123": "083", "0124": "084",
               "0125": "085", "0127": "081", "0129": "082"}
_BHYT_KINDS = ("GD", "GD", "GD", "HT", "TE", "CN", "HN", "DN", "BT", "HS", "NO", "XN")
_NOTES = ("", "", "", "", "", "", "", "", "Chuyển đi nơi khác", "Đã tiêm 3 mũi",
          "Sai tên trên nền tảng", "Người cao tuổi", "Tạm trú")


def _dmy(d: _dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def _valid_phone_prefixes() -> tuple[str, ...]:
    from vaxclean_xl.core.rules.phone import is_valid_vn

    ok = tuple(p for p in _MOBILE_PREFIXES if is_valid_vn(p + "1234567"))
    if not ok:  # pragma: no cover - phonenumbers metadata without Vietnamese mobiles
        raise RuntimeError("no valid Vietnamese mobile prefix in the phonenumbers metadata")
    return ok


class _Generator:
    def __init__(self, rows: int, seed: int, today: _dt.date, error_rate: float,
                 hamlets: int | None = None) -> None:
        from vaxclean_xl.core.rules.phone import is_valid_vn

        self.is_valid_phone = is_valid_vn
        self.rows = rows
        self.today = today
        self.error_rate = error_rate
        self.rng = rng = random.Random(seed)
        self.commune = rng.choice(_COMMUNES)
        self.hamlets = self._hamlets(hamlets)
        self.phone_prefixes = _valid_phone_prefixes()
        self.old_phone = tuple((o, n) for o, n in _OLD_PREFIX.items()
                               if n in self.phone_prefixes)
        # Unique six-digit tails: an affine bijection of the record index modulo 10**6.
        mult = rng.randrange(100_001, 999_999)
        while mult % 2 == 0 or mult % 5 == 0:
            mult += 1
        self.tail_mult, self.tail_add = mult, rng.randrange(1_000_000)
        self.other_provinces = tuple(c for c in PROVINCES if c != self.commune.province_code)
        self.one_zero_provinces = tuple(c for c in PROVINCES if not c.startswith("00"))
        self.bad_prefixes = tuple(
            [f"{n:03d}" for n in range(1, 100) if f"{n:03d}" not in PROVINCES]
            + ["100"] + [str(n) for n in range(300, 1000, 23)]
        )
        self.year_hi = max(1931, min(2015, today.year - 1))
        self.year_lo = min(max(1930, today.year - 110), self.year_hi - 1)
        self.families = [f for f, _ in _FAMILY]
        self.family_weights = [w for _, w in _FAMILY]
        self.kinds = list(ERROR_MIX)
        self.kind_weights = [ERROR_MIX[k] for k in self.kinds]
        self.cycle = list(ERROR_MIX)
        rng.shuffle(self.cycle)
        self.warn_kinds = list(WARNING_MIX)
        self.warn_weights = [WARNING_MIX[k] for k in self.warn_kinds]
        self.sci_used: set[str] = set()
        self.scheduled: dict[int, _Row] = {}
        self.counts: dict[str, int] = {}
        # At least one pair of each kind (when the list is long enough): kind -> from index.
        self.forced: dict[str, int] = (
            {"ID103": rows // 3, "REC001": 2 * rows // 3} if error_rate > 0 and rows >= 20
            else {}
        )

    # --- people ---------------------------------------------------------------------------

    def _hamlets(self, count: int | None = None) -> list[str]:
        rng, kind = self.rng, self.commune.hamlet_kind
        n = rng.randint(5, 40)
        if count is not None:  # asked for (benchmarks: 40 hamlet files); same draws after
            n = count
        names = list(_HAMLET_NAMES.get(kind, ()))
        rng.shuffle(names)
        if kind == "Xóm" and rng.random() < 0.6:
            names = []  # numbered hamlets: Xóm 1 … Xóm n
        out = [f"{kind} {x}" for x in names[: rng.randint(0, min(n, len(names)))]]
        number = 1
        while len(out) < n:
            label = "Thôn" if kind == "Buôn" and number % 2 else kind
            out.append(f"{label} {number}")
            number += 1
        return out

    def _name(self, sex: str, minority: bool) -> str:
        rng = self.rng
        if minority:
            style = self.commune.minority_style
            if style == "ede":
                given = rng.choice(_EDE_GIVEN[sex])
                lead = "Y " if sex == "M" else "H'"
                return f"{lead}{given} {rng.choice(_EDE_CLANS)}"
            if style == "jrai":
                return f"{rng.choice(_JRAI_CLANS)} {rng.choice(_JRAI_GIVEN[sex])}"
            return (f"{rng.choice(_HMONG_CLANS)} {rng.choice(_HMONG_MIDDLE[sex])} "
                    f"{rng.choice(_HMONG_GIVEN[sex])}")
        family = rng.choices(self.families, self.family_weights)[0]
        middle = rng.choice(_MIDDLE[sex])
        given = rng.choice(_GIVEN[sex])
        if rng.random() < 0.15:
            second = rng.choice(_SECOND_MIDDLE[sex])
            if second not in (middle, given):
                middle = f"{middle} {second}"
        return f"{family} {middle} {given}"

    def _year(self) -> int:
        rng = self.rng
        year = rng.randint(self.year_lo, self.year_hi)
        if year < 1950 and rng.random() < 0.6:
            year = rng.randint(max(1950, self.year_lo), self.year_hi)
        return year

    def _date_in(self, year: int, placeholder_ok: bool = True) -> _dt.date:
        rng = self.rng
        share = 0.25 if year < 1960 else 0.04
        if placeholder_ok and rng.random() < share:
            return _dt.date(year, 1, 1)
        start = _dt.date(year, 1, 1).toordinal()
        end = _dt.date(year, 12, 31).toordinal()
        return _dt.date.fromordinal(rng.randint(start, end))

    def _tail(self, index: int) -> str:
        return f"{(self.tail_mult * index + self.tail_add) % 1_000_000:06d}"

    def _cccd(self, index: int, sex: str, year: int, province: str | None = None) -> str:
        if province is None:
            province = (self.commune.province_code if self.rng.random() < 0.85
                        else self.rng.choice(self.other_provinces))
        digit = 2 * ((year - 1900) // 100) + (1 if sex == "F" else 0)
        return f"{province}{digit}{year % 100:02d}{self._tail(index)}"

    def _cmnd(self, index: int) -> str:
        return f"{self.commune.cmnd_prefix}{self.rng.randint(0, 9)}{self._tail(index)}"

    def person(self, index: int, *, sex: str | None = None, dob: _dt.date | None = None,
               year: int | None = None, cmnd: bool | None = None,
               minority: bool | None = None, province: str | None = None) -> _Person:
        rng = self.rng
        sex = sex or ("M" if rng.random() < 0.5 else "F")
        if minority is None:
            minority = rng.random() < self.commune.minority
        name = self._name(sex, minority)
        if dob is None:
            dob = self._date_in(year if year is not None else self._year())
        if cmnd is None:
            cmnd = dob.year < 1980 and rng.random() < 0.25
        id_number = self._cmnd(index) if cmnd else self._cccd(index, sex, dob.year, province)
        return _Person(name, sex, dob, id_number, minority)

    # --- rows -----------------------------------------------------------------------------

    def _phone(self) -> str:
        rng = self.rng
        while True:
            number = f"{rng.choice(self.phone_prefixes)}{rng.randint(0, 9_999_999):07d}"
            if self.is_valid_phone(number):
                return number

    def row_of(self, p: _Person) -> _Row:
        rng = self.rng
        hamlet = rng.choice(self.hamlets)
        address = f"{hamlet}, {self.commune.commune}, {self.commune.district}, " \
                  f"{self.commune.province}"
        shown_hamlet = hamlet
        roll = rng.random()
        if roll < 0.03:
            shown_hamlet = hamlet[0].lower() + hamlet[1:]  # "xóm 1"
        elif roll < 0.05:
            shown_hamlet = hamlet.replace(" ", "  ", 1)  # "Xóm  1"
        elif roll < 0.06:
            shown_hamlet = hamlet.upper()
        if rng.random() < 0.1:
            address = ""
        dob: object = p.dob
        if rng.random() < 0.15:
            dob = _dmy(p.dob)  # a valid date typed as text
        bhyt = ""
        if rng.random() < 0.8:
            bhyt = (f"{rng.choice(_BHYT_KINDS)}{rng.randint(1, 5)}"
                    f"{self.commune.province_code[1:]}{rng.randint(0, 9_999_999_999):010d}")
        return _Row(
            name=p.name, name_font="normal", dob=dob, sex="Nam" if p.sex == "M" else "Nữ",
            id_value=p.id_number, phone=self._phone() if rng.random() < 0.9 else None,
            hamlet=shown_hamlet, address=address, bhyt=bhyt,
            group=f"Nhóm {rng.choice((1, 2, 3, 4, 5, 6, 7, 7, 9, 9, 9, 11, 13, 15, 15, 18))}",
            note=rng.choice(_NOTES), born=p.dob,
        )

    def next_error_kind(self) -> str:
        if self.cycle:
            return self.cycle.pop()
        return self.rng.choices(self.kinds, self.kind_weights)[0]

    def error_row(self, index: int, kind: str) -> _Row:
        rng = self.rng
        today = self.today
        if kind == "DOB004":
            # A future day inside the current year: the CCCD (which encodes the year) agrees.
            start, end = today.toordinal() + 1, _dt.date(today.year, 12, 31).toordinal()
            if start <= end:
                p = self.person(index, dob=_dt.date.fromordinal(rng.randint(start, end)),
                                cmnd=False)
            else:
                p = self.person(index, dob=today + _dt.timedelta(days=rng.randint(1, 200)),
                                cmnd=True)
            row = self.row_of(p)
            row.dob = p.dob if rng.random() < 0.7 else _dmy(p.dob)
            return self._done(row, kind)
        if kind == "DOB005":
            # More than 120 years ago, with a CMND (a CCCD cannot encode the 1800s).
            year = rng.randint(today.year - 130, today.year - 122)
            dob = self._date_in(year)
            p = self.person(index, dob=_dt.date(1960, 1, 1), cmnd=True)
            row = self.row_of(p)
            row.dob = dob if year >= 1901 else _dmy(dob)
            return self._done(row, kind)
        needs_cccd = kind in ("ID005", "ID007", "ID008", "ID009", "ID101", "ID102")
        province = None
        if kind == "ID005":
            # 001…008 lose two zeros in a number cell (10 digits): that reads as ID006.
            province = self.commune.province_code
            if province.startswith("00") or rng.random() < 0.15:
                province = rng.choice(self.one_zero_provinces)
        p = self.person(index, cmnd=False if needs_cccd else None, province=province)
        row = self.row_of(p)
        ident = p.id_number
        d = p.dob
        if kind == "ID001":
            row.id_value = None
        elif kind == "ID002":
            row.id_value = rng.choice(_PLACEHOLDERS)
        elif kind == "ID003":
            if len(ident) == 12:
                sep = rng.choice((" ", ".", "-", " "))
                if rng.random() < 0.5:
                    row.id_value = sep.join((ident[:3], ident[3:6], ident[6:9], ident[9:]))
                else:
                    row.id_value = f"{ident[:3]}{sep}{ident[3:]}"
            else:
                row.id_value = " ".join((ident[:3], ident[3:6], ident[6:]))
        elif kind == "ID004":
            pos = rng.randint(1, 4 if len(ident) == 12 else 2)  # keeps the unique tail
            letter = _ID_LETTERS.get(ident[pos], "A")
            row.id_value = ident[:pos] + letter + ident[pos + 1:]
        elif kind == "ID005":
            row.id_value = int(ident)  # number cell: the leading zero is lost
        elif kind == "ID006":
            row.id_value = ident + str(rng.randint(0, 9))  # 13 (CCCD) or 10 (CMND) digits
        elif kind == "ID007":
            row.id_value = rng.choice(self.bad_prefixes) + ident[3:]
        elif kind == "ID008":
            row.id_value = ident[:3] + str(rng.randint(4, 9)) + ident[4:]
        elif kind == "ID009":
            # Distinct people must not share a text (that would be ID103 as well).
            texts = [f"{int(ident):.{digits}E}" for digits in (5, 4, 3, 2)]
            texts = [t for t in texts[rng.randint(0, 1):] if t not in self.sci_used]
            if not texts:
                row.id_value = f"{ident[:3]} {ident[3:]}"
                return self._done(row, "ID003")
            self.sci_used.add(texts[0])
            row.id_value = texts[0]
        elif kind == "ID101":
            digit = int(ident[3])
            row.id_value = ident[:3] + str(digit ^ 1) + ident[4:]  # other sex, same century
        elif kind == "ID102":
            year = d.year
            while year == d.year:
                year = min(self.year_hi, max(self.year_lo, d.year + rng.choice((-10, -2, -1,
                                                                                 1, 2, 10))))
            new = _dt.date(year, d.month, min(d.day, 28))
            row.dob = new if not isinstance(row.dob, str) else _dmy(new)
        elif kind == "NAME001":
            row.name = None
        elif kind == "NAME002":
            digit = str(rng.randint(0, 9))
            words = p.name.split()
            style = rng.random()
            if style < 0.4:
                row.name = f"{p.name} {digit}"
            elif style < 0.7:
                row.name = f"{p.name}{digit}"
            else:
                words[-1] = digit + words[-1]
                row.name = " ".join(words)
        elif kind == "NAME003":
            row.name = (rng.choice(_NICKNAMES) if rng.random() < 0.5
                        else p.name.split()[-1])
        elif kind == "NAME004":
            encoded = None
            while encoded is None or encoded == p.name:
                p = self.person(index, sex=p.sex, dob=d, minority=False)
                encoded = to_tcvn3(p.name)
            row.name, row.name_font, row.id_value = encoded, "tcvn3", p.id_number
        elif kind == "NAME005":
            encoded = to_vni(p.name)
            while encoded == p.name:
                p = self.person(index, sex=p.sex, dob=d, minority=False)
                encoded = to_vni(p.name)
            row.name, row.name_font, row.id_value = encoded, "vni", p.id_number
        elif kind == "DOB001":
            row.dob = None
        elif kind == "DOB002":
            y = d.year
            row.dob = rng.choice((f"31/02/{y}", f"30/02/{y}", f"{d.day:02d}/13/{y}",
                                  f"00/00/{y}", f"31/04/{y}", f"32/{d.month:02d}/{y}"))
        elif kind == "DOB003":
            row.dob = rng.choice((d.year, d.year, str(d.year), f"năm {d.year}"))
        elif kind == "DOB006":
            yy = f"{d.year % 100:02d}"
            row.dob = rng.choice((
                f"{d.day}/{d.month}/{yy}", f"{d.day:02d}-{d.month:02d}-{yy}",
                f"ngày {d.day} tháng {d.month}", f"{d.day}/{d.month}",
                f"{d.day}.{d.month}.{yy}",
            ))
        elif kind == "SEX001":
            row.sex = None
        elif kind == "SEX002":
            row.sex = rng.choice(_SEX_JUNK)
        else:  # pragma: no cover - ERROR_MIX and this function are kept in step
            raise AssertionError(kind)
        return self._done(row, kind)

    def _done(self, row: _Row, code: str) -> _Row:
        row.errors = (code,)
        return row

    def warning_row(self, index: int, kind: str) -> _Row:
        rng = self.rng
        p = self.person(index, minority=False if kind == "NAME103" else None)
        row = self.row_of(p)
        if kind == "NAME101":
            words = p.name.split()
            style = rng.random()
            if style < 0.4:
                pos = rng.randint(1, len(words) - 1)
                row.name = " ".join(words[:pos]) + "  " + " ".join(words[pos:])
            elif style < 0.7:
                row.name = p.name + " "
            else:
                row.name = " " + p.name
        elif kind == "NAME103":
            row.name = p.name.upper()
        elif kind == "PHONE001":
            good = self._phone()
            row.phone = rng.choice((good[:7], good[:8], good + str(rng.randint(0, 9)),
                                    "0" + good[3:]))
            if self.is_valid_phone(str(row.phone)):  # pragma: no cover - defensive
                row.phone = good[:6]
        elif kind == "PHONE002":
            while True:
                old, new = rng.choice(self.old_phone)
                last7 = f"{rng.randint(0, 9_999_999):07d}"
                if self.is_valid_phone(new + last7):
                    break
            row.phone = old + last7
        elif kind == "PHONE003":
            row.phone = int(self._phone())  # number cell: leading zero lost
        elif kind == "HAMLET001":
            row.hamlet = None
        row.warnings = (kind,)
        return row

    def pair(self, index: int, kind: str) -> tuple[_Row, int, _Row] | None:
        """Rows for an ID103 pair (two people, one number) or a REC001 pair (one person
        twice); the second goes a few rows later."""
        rng = self.rng
        slot = min(index + rng.randint(1, 25), self.rows - 1)
        while slot in self.scheduled and slot < self.rows - 1:
            slot += 1
        if slot <= index or slot in self.scheduled:
            return None
        a = self.person(index, minority=False)
        first = self.row_of(a)
        if kind == "REC001":
            first.warnings = ("REC001",)
            second = replace(first)
        else:
            while True:
                b = self.person(index, sex=a.sex, year=a.dob.year, minority=False)
                if b.name != a.name and b.dob != a.dob:
                    break
            second = self.row_of(b)
            first.errors = second.errors = ("ID103",)
        second.id_value = first.id_value = a.id_number
        return first, slot, second

    def rows_iter(self):
        for index in range(self.rows):
            row = self.scheduled.pop(index, None)
            if row is None:
                row = self._fresh(index)
            for code in row.errors + row.warnings:
                self.counts[code] = self.counts.get(code, 0) + 1
            yield index, row

    def _fresh(self, index: int) -> _Row:
        rng = self.rng
        if self.error_rate > 0:
            for kind in ("ID103", "REC001"):
                due = index >= self.forced.get(kind, self.rows)
                if rng.random() < PAIR_RATE or due:
                    made = self.pair(index, kind)
                    if made is not None:
                        self.forced.pop(kind, None)
                        first, slot, second = made
                        self.scheduled[slot] = second
                        return first
        if rng.random() < self.error_rate:
            return self.error_row(index, self.next_error_kind())
        if rng.random() < WARNING_RATE:
            return self.warning_row(index, rng.choices(self.warn_kinds, self.warn_weights)[0])
        return self.row_of(self.person(index))


