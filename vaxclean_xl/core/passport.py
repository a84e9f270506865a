"""Step 5 of the procedure: who can be signed for a vaccine passport today, and why not.

A vaccination site signs ("ký xác nhận") a person's vaccination data on the platform only
when the identity is right (the procedure's group OK) and the injections are complete and
correct; the certificate then carries the latest dose (EU DCC schema 1.3.0). This module
turns a :class:`~vaxclean_xl.core.validate.Validation` of a list with doses into one
status per person with every reason (stable ``PASS`` codes, like the rule catalogue's),
finds the same person split over two records, and works out what the certificate will
show. Pure: no file is read or written here (``formats/passport_report.py`` writes it).

Facts (which vaccines count, series lengths, the certificate's value-set codes) come from
the vaccine catalogue file (``templates/vaccines/``), never from code.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from vaxclean_xl.core import normalize as nz
from vaxclean_xl.core.doses import VaccineCatalogue
from vaxclean_xl.core.model import Category, Dose, Record, Severity, is_dose_field
from vaxclean_xl.core.perf import gc_paused
from vaxclean_xl.core.validate import Validation

SCHEMA = "vaxclean.passport/1"


class Status(StrEnum):
    """A person's passport status (the JSON report's values)."""

    READY = "READY"
    BLOCKED = "BLOCKED"
    NO_DOSES = "NO_DOSES"


STATUS_LABEL_VI: dict[Status, str] = {
    Status.READY: "Sẵn sàng ký",
    Status.BLOCKED: "Chưa ký được",
    Status.NO_DOSES: "Chưa có mũi tiêm",
}


@dataclass(frozen=True, slots=True)
class ReasonRule:
    """One reason a record cannot be signed, catalogued like the rules: a stable code, the
    message (with placeholders), why it blocks and what to do, where."""

    code: str
    name: str
    message_vi: str
    short_vi: str
    why: str
    fix: str


REASONS: dict[str, ReasonRule] = {}


def _reason(code: str, name: str, message_vi: str, short_vi: str, why: str,
            fix: str) -> ReasonRule:
    if code in REASONS:
        raise ValueError(f"duplicate passport reason {code}")
    r = REASONS[code] = ReasonRule(code, name, message_vi, short_vi, why, fix)
    return r


PASS001 = _reason(
    "PASS001", "no-id-number",
    "Chưa có số CCCD/CMND: bổ sung số định danh (tệp import lên Nền tảng, bước 4 của quy "
    "trình) rồi mới ký được.",
    "Chưa có số CCCD/CMND.",
    "Hộ chiếu vắc xin gắn với giấy tờ tùy thân; Nền tảng chỉ ký khi đã xác thực số định danh "
    "với Cơ sở dữ liệu quốc gia về dân cư.",
    "Lấy số CCCD theo kết quả xác minh của Công an xã, nhập bằng tệp import (vaxclean "
    "export-import).",
)
PASS002 = _reason(
    "PASS002", "bad-id-format",
    "Số CCCD/CMND sai định dạng: sửa số định danh (tệp import lên Nền tảng) rồi mới ký được.",
    "Số CCCD/CMND sai định dạng.",
    "Số sai định dạng không xác thực được với Cơ sở dữ liệu quốc gia về dân cư.",
    "Sửa số theo giấy tờ hoặc kết quả xác minh của Công an xã, nhập bằng tệp import.",
)
PASS003 = _reason(
    "PASS003", "bad-personal-info",
    "Thông tin cá nhân sai ({problems}): sửa trực tiếp trên Nền tảng theo kết quả xác minh "
    "của Công an xã rồi mới ký được.",
    "Thông tin cá nhân (họ tên, ngày sinh, giới tính, số định danh) sai.",
    "Nền tảng chỉ ký khi họ tên, ngày sinh, giới tính và số định danh khớp Cơ sở dữ liệu "
    "quốc gia về dân cư.",
    "Sửa trên Nền tảng theo danh sách sửa trực tiếp (vaxclean edit-list).",
)
PASS004 = _reason(
    "PASS004", "dose-errors",
    "Mũi tiêm có lỗi: {problems}. Sửa mũi tiêm trên Nền tảng theo phiếu tiêm rồi mới ký được.",
    "Mũi tiêm có lỗi (ngày, tên vắc xin, thứ tự mũi).",
    "Ý kiến phản hồi bị từ chối khi số mũi, ngày tiêm hoặc loại vắc xin khác phiếu tiêm "
    "(9458/BYT-CNTT).",
    "Đối chiếu phiếu tiêm, sửa mũi tiêm trên Nền tảng (trang «Sửa mũi tiêm» của vaxclean "
    "edit-list).",
)
PASS005 = _reason(
    "PASS005", "series-incomplete",
    "Chưa đủ mũi cơ bản: mới có {have}/{need} mũi {vaccine}. Nếu đã tiêm đủ, nhập mũi còn "
    "thiếu lên Nền tảng theo phiếu tiêm.",
    "Chưa đủ mũi cơ bản.",
    "Hộ chiếu vắc xin chỉ cấp khi đã tiêm đủ liều cơ bản (2 mũi; Janssen 1 mũi, Abdala 3 "
    "mũi).",
    "Nhập mũi còn thiếu theo phiếu tiêm; nếu người này chưa tiêm đủ thì chưa ký.",
)
PASS006 = _reason(
    "PASS006", "vaccine-not-accepted",
    "Mũi {numbers} tiêm {vaccine}, vắc xin không thuộc danh mục cấp hộ chiếu vắc xin (QĐ "
    "5772/QĐ-BYT).",
    "Vắc xin không thuộc danh mục cấp hộ chiếu vắc xin.",
    "Chỉ 8 vắc xin được tính cho hộ chiếu vắc xin (QĐ 5772/QĐ-BYT); Covaxin không nằm trong "
    "danh mục.",
    "Đối chiếu tên vắc xin với phiếu tiêm; nếu đúng thì người này chưa được cấp hộ chiếu "
    "vắc xin với mũi này.",
)
PASS007 = _reason(
    "PASS007", "same-person-split",
    "Cùng một người với hồ sơ dòng {other}: hồ sơ này có mũi {mine}, hồ sơ kia có mũi "
    "{theirs}; gộp hồ sơ trên nền tảng rồi mới ký được.",
    "Một người bị tách thành hai hồ sơ; gộp hồ sơ trên nền tảng.",
    "Mũi tiêm ở hai nơi tiêm thường tạo hồ sơ thứ hai cho cùng một người, nên không hồ sơ "
    "nào đủ mũi.",
    "Gộp hai hồ sơ trên Nền tảng (giữ hồ sơ có số CCCD đúng), rồi ký hồ sơ đã gộp.",
)
PASS008 = _reason(
    "PASS008", "no-doses",
    "Chưa có mũi tiêm nào trong danh sách: nếu người này đã tiêm, nhập mũi tiêm lên Nền tảng "
    "theo phiếu tiêm.",
    "Chưa có mũi tiêm nào.",
    "Không có mũi tiêm thì không có gì để ký.",
    "Nhập mũi tiêm theo phiếu tiêm (tệp import) nếu đã tiêm.",
)


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason a record is not READY: a ``PASS`` code and its Vietnamese message."""

    code: str
    message: str


def _because(rule: ReasonRule, **fmt: object) -> Reason:
    return Reason(rule.code, rule.message_vi.format(**fmt) if fmt else rule.message_vi)


# --- the certificate's name -----------------------------------------------------------------

_NAME_MAX = 50  # EU DCC schema 1.3.0: fnt and gnt at most 50 characters


@lru_cache(maxsize=1)  # built on first use, not when progress imports the module
def _ascii_table() -> dict[int, str]:
    """Each Latin letter with diacritics (Vietnamese and others) -> its base letter, Đ -> D;
    built once from Unicode's decompositions so ``str.translate`` does the work in C."""
    table: dict[int, str] = {ord("Đ"): "D", ord("đ"): "d"}
    for code in range(0xC0, 0x2000):
        base = unicodedata.normalize("NFD", chr(code))[:1]
        if base != chr(code) and "A" <= base.upper() <= "Z":
            table[code] = base
    return table


@lru_cache(maxsize=65_536)
def transliterate(name: str) -> str:
    """A name as the certificate writes it (EU DCC ``fnt``/``gnt``, ICAO 9303 style): upper
    case without diacritics, Đ as D, spaces as "<", nothing but A-Z and "<".

    >>> transliterate("Nguyễn Bảo Duy")
    'NGUYEN<BAO<DUY'
    """
    text = nz.nfc(name).translate(_ascii_table()).upper()
    if not text.isascii() or not text.replace(" ", "").isalpha():
        text = "".join(c if "A" <= c <= "Z" else " " for c in text)
    return "<".join(text.split())[:_NAME_MAX]


@dataclass(slots=True)
class Certificate:
    """What the vaccine certificate will show, for staff to check before signing."""

    family_name: str  # fnt: "NGUYEN"
    given_name: str  # gnt: "BAO<DUY"
    dob: str  # dd/mm/yyyy
    dose_number: int  # dn: the latest dose
    total_doses: int  # sd: 2/2, 3/3
    date: str  # dd/mm/yyyy of the latest dose
    vaccine: str  # platform spelling
    product: str  # mp (EU value set)
    manufacturer: str  # ma (EU value set)
    disease: str = "840539006"  # tg
    vaccine_type: str = "J07BX03"  # vp
    country: str = "VN"  # co

    @property
    def name(self) -> str:
        """The whole name, family name first ("NGUYEN<BAO<DUY")."""
        return "<".join(p for p in (self.family_name, self.given_name) if p)

    @property
    def dose_text(self) -> str:
        """The dose over the total, as the certificate says it: "2/2", "3/3"."""
        return f"{self.dose_number}/{self.total_doses}"

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "family_name": self.family_name,
                "given_name": self.given_name, "dob": self.dob,
                "dose_number": self.dose_number, "total_doses": self.total_doses,
                "dose": self.dose_text, "date": self.date, "vaccine": self.vaccine,
                "product": self.product, "manufacturer": self.manufacturer,
                "disease": self.disease, "vaccine_type": self.vaccine_type,
                "country": self.country}


# --- series ----------------------------------------------------------------------------------

@dataclass(slots=True)
class Series:
    """A person's doses judged as a primary series: complete or not, and the latest dose
    that counts for the certificate."""

    vaccine: str | None  # the primary series' vaccine (dose 1's), None when unknown
    need: int  # doses of the primary series
    have: int  # of them present (dated, with a known vaccine)
    not_accepted: tuple[tuple[int, str], ...]  # (dose number, vaccine) not for the passport
    latest: Dose | None  # the latest dose that counts

    @property
    def complete(self) -> bool:
        return self.vaccine is not None and self.have >= self.need and not self.not_accepted


def judge_series(doses: Iterable[Dose], cat: VaccineCatalogue) -> Series:
    """The primary series of ``doses`` (numbers 1 … n of dose 1's vaccine; a mixed series
    counts when each vaccine counts for the passport: mixing outside the allowed pairs is a
    warning, and warnings do not block)."""
    vaccines = cat.vaccines
    by_number: dict[int, Dose] = {}
    for d in doses:
        if d.vaccine is not None and d.date is not None and d.number not in by_number:
            by_number[d.number] = d
    first = by_number.get(1)
    if first is None:
        return Series(None, 0, 0, (), None)
    v1 = vaccines[first.vaccine]  # type: ignore[index]
    need = v1.primary_doses
    have = 0
    bad: list[tuple[int, str]] = []
    latest = None  # the latest counting dose of an unbroken run from dose 1
    expect = 1
    for n in sorted(by_number):
        d = by_number[n]
        v = vaccines[d.vaccine]  # type: ignore[index]
        if n <= need:
            have += 1
        if not v.counts_for_passport:
            if n <= need:
                bad.append((n, v.name))
            continue
        if n == expect:
            latest = d
            expect += 1
    return Series(v1.name, need, have, tuple(bad), latest)


def certificate(rec: Record, series: Series, cat: VaccineCatalogue) -> Certificate | None:
    """What the certificate of a complete series shows (None when there is nothing yet)."""
    latest = series.latest
    if latest is None or latest.vaccine is None or latest.date is None or rec.dob is None:
        return None
    v = cat.vaccines[latest.vaccine]
    words = transliterate(rec.full_name).split("<")
    codes = cat.certificate
    return Certificate(
        family_name=words[0] if words else "", given_name="<".join(words[1:]),
        dob=nz.format_date(rec.dob), dose_number=latest.number,
        total_doses=max(series.need, latest.number), date=nz.format_date(latest.date),
        vaccine=v.name, product=v.dcc_product, manufacturer=v.dcc_manufacturer,
        disease=codes.get("disease", "840539006"),
        vaccine_type=codes.get("vaccine_type", "J07BX03"), country=codes.get("country", "VN"))


# --- the same person on two records -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SamePerson:
    """Two records of one person whose doses only together make the series."""

    rows: tuple[int, int]
    doses: tuple[tuple[int, ...], tuple[int, ...]]  # dose numbers each record holds
    why: str  # "id", "no_id" or "phone": what ties them besides name and date of birth


def _valid_id(rec: Record) -> str:
    """The record's ID number when it is one the rules accept, else ""."""
    if not rec.id_number:
        return ""
    for f in rec.findings:
        if f.field == "id_number" and f.severity is Severity.ERROR:
            return ""
    return rec.id_number


def _tie(a: Record, b: Record) -> str | None:
    """What makes two records with the same name and date of birth one person, or None.
    Two different valid ID numbers are never one person."""
    ida, idb = _valid_id(a), _valid_id(b)
    if ida and idb:
        return "id" if ida == idb else None
    if a.id_number and a.id_number == b.id_number:
        return "id"
    if not a.id_number or not b.id_number:
        return "no_id"
    if a.phone and a.phone == b.phone:
        return "phone"
    return None


def _held(rec: Record) -> tuple[int, ...]:
    """The numbers of the doses a record holds (with a vaccine or a date)."""
    return tuple(sorted({d.number for d in rec.doses if d.vaccine or d.date}))


def find_same_person(records: Iterable[Record], cat: VaccineCatalogue) -> list[SamePerson]:
    """Pairs of records of one person (same name and date of birth, and the same ID number,
    or one of them without one, or the same phone number) whose doses together make the
    primary series while at least one of them alone does not."""
    groups: dict[tuple[str, _dt.date], list[Record]] = {}
    for rec in records:
        if rec.dob is not None and rec.full_name and rec.doses:
            groups.setdefault((transliterate(rec.full_name), rec.dob), []).append(rec)
    pairs: list[SamePerson] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                why = _tie(a, b)
                if why is None:
                    continue
                alone = (judge_series(a.doses, cat).complete,
                         judge_series(b.doses, cat).complete)
                if all(alone) or not judge_series([*a.doses, *b.doses], cat).complete:
                    continue
                nums = (_held(a), _held(b))
                pairs.append(SamePerson((a.row, b.row), nums, why))
    return pairs


# --- the day's assessment ---------------------------------------------------------------------

@dataclass(slots=True)
class Entry:
    """One person's passport status, with every reason and the certificate it would get."""

    record: Record
    hamlet: str  # display name (``Validation.hamlet_of``)
    status: Status
    reasons: list[Reason] = field(default_factory=list)
    same_person_rows: list[int] = field(default_factory=list)
    certificate: Certificate | None = None

    @property
    def row(self) -> int:
        return self.record.row


@dataclass(slots=True)
class Assessment:
    """Every person's status on the day (``since``: only people with a dose on or after)."""

    entries: list[Entry]
    pairs: list[SamePerson]
    since: _dt.date | None = None
    catalogue: str = ""  # "<id> <version>" of the vaccine catalogue used

    def count(self) -> Counter:
        return Counter(e.status for e in self.entries)

    def reason_counts(self) -> Counter:
        return Counter(r.code for e in self.entries for r in e.reasons)

    def by_hamlet(self) -> dict[str, Counter]:
        """hamlet -> Counter of statuses, hamlets in first-seen order."""
        out: dict[str, Counter] = {}
        for e in self.entries:
            out.setdefault(e.hamlet, Counter())[e.status] += 1
        return out

    @property
    def all_ready(self) -> bool:
        """Every person with doses is READY (exit code 0)."""
        return all(e.status is not Status.BLOCKED for e in self.entries)

    def summary(self) -> dict[str, object]:
        """The JSON report's summary block."""
        n = self.count()
        return {"persons": len(self.entries),
                **{s.value: n[s] for s in Status},
                "same_person_pairs": len(self.pairs),
                "reasons": dict(sorted(self.reason_counts().items()))}


_GROUP_REASON = {Category.NO_ID: PASS001, Category.BAD_ID_FORMAT: PASS002}


def _identity_reason(rec: Record) -> Reason | None:
    if not rec.findings:
        return None
    cat = rec.category
    if cat is Category.OK:
        return None
    rule = _GROUP_REASON.get(cat)
    if rule is not None:
        return _because(rule)
    problems = sorted({f.message.rstrip(".") for f in rec.findings
                       if f.severity is Severity.ERROR and not is_dose_field(f.field)})
    return _because(PASS003, problems="; ".join(problems) or PASS003.short_vi.rstrip("."))


def _dose_reason(rec: Record) -> Reason | None:
    if not rec.findings:
        return None
    problems = [f.message.rstrip(".") for f in rec.findings
                if f.severity is Severity.ERROR and is_dose_field(f.field)]
    return _because(PASS004, problems="; ".join(problems)) if problems else None


def _numbers(nums: Iterable[int]) -> str:
    return ", ".join(map(str, nums)) or "không"


def assess(result: Validation, cat: VaccineCatalogue, *,
           since: _dt.date | None = None) -> Assessment:
    """Each person's passport status. Pairs are found on the whole list; ``since`` then
    keeps the people with a dose dated on or after that day (the day's signing list)."""
    with gc_paused():  # a few objects per person over millions: a collection is wasted
        return _assess(result, cat, since)


def _assess(result: Validation, cat: VaccineCatalogue, since: _dt.date | None) -> Assessment:
    pairs = find_same_person(result.records, cat)
    partner: dict[int, list[tuple[int, tuple[int, ...], tuple[int, ...]]]] = {}
    for p in pairs:
        (ra, rb), (da, db) = p.rows, p.doses
        partner.setdefault(ra, []).append((rb, da, db))
        partner.setdefault(rb, []).append((ra, db, da))
    names = result.hamlet_of
    entries: list[Entry] = []
    for rec in result.records:
        if since is not None and not any(d.date and d.date >= since for d in rec.doses):
            continue
        entry = Entry(rec, names.get(rec.hamlet, rec.hamlet), Status.READY)
        entries.append(entry)
        if not rec.doses:
            entry.status = Status.NO_DOSES
            entry.reasons.append(_because(PASS008))
            identity = _identity_reason(rec)
            if identity:
                entry.reasons.insert(0, identity)
            continue
        reasons = entry.reasons
        for reason in (_identity_reason(rec), _dose_reason(rec)):
            if reason:
                reasons.append(reason)
        series = judge_series(rec.doses, cat)
        not_accepted: dict[str, list[int]] = {}
        for number, vaccine in series.not_accepted:
            not_accepted.setdefault(vaccine, []).append(number)
        for vaccine, numbers in not_accepted.items():
            reasons.append(_because(PASS006, numbers=_numbers(numbers), vaccine=vaccine))
        if not series.complete and not series.not_accepted:
            reasons.append(_because(
                PASS005, have=series.have, need=series.need or "?",
                vaccine=series.vaccine or "(chưa rõ vắc xin mũi 1)"))
        for other, mine, theirs in partner.get(rec.row, ()):
            entry.same_person_rows.append(other)
            reasons.append(_because(PASS007, other=other, mine=_numbers(mine),
                                    theirs=_numbers(theirs)))
        entry.certificate = certificate(rec, series, cat) if series.complete else None
        if reasons:
            entry.status = Status.BLOCKED
    return Assessment(entries, pairs, since, f"{cat.id} {cat.version}".strip())
