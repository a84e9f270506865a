"""Doses: the vaccine catalogue (a versioned data file) and each record's doses built from
the row values where the reader found them (``DoseLayout``).

The facts (platform spellings, aliases, approval dates, schedules, ages, key dates) live in
``templates/vaccines/vaccines-vn-2022.json``, never in code: most are secondary sources, so
a corrected file is a new version, and a station adds its own spellings in its settings
(``vaccine_aliases``). The checks themselves are in ``core/rules/dose.py``.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from vaxclean_xl.core import normalize as nz
from vaxclean_xl.core.model import DOSE_PARTS, Dose, DoseColumns, DoseLayout, Record

CATALOGUE_SCHEMA = "vaxclean.vaccines/1"
DEFAULT_CATALOGUE = "vaccines-vn-2022"


class CatalogueError(ValueError):
    """The vaccine catalogue file (or a station's alias) is malformed; the message says
    what, in Vietnamese, without any personal data."""


@dataclass(frozen=True, slots=True)
class Vaccine:
    """One vaccine as the catalogue describes it (platform spelling in ``name``)."""

    name: str
    approved: _dt.date
    primary_doses: int
    min_interval_days: int | None = None
    locally_allowed_min_days: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    counts_for_passport: bool = True
    aliases: tuple[str, ...] = ()
    # the EU DCC value sets' codes a vaccine certificate carries (mp, ma)
    dcc_product: str = ""
    dcc_manufacturer: str = ""

    def primary_minimum(self, tolerance: int) -> int | None:
        """The shortest gap (days) after a dose of this vaccine within the primary series
        that draws no warning: a locally allowed minimum wins (AstraZeneca at 4 weeks),
        else the guidance's minimum less the tolerance."""
        if self.locally_allowed_min_days is not None:
            return self.locally_allowed_min_days
        if self.min_interval_days is None:
            return None
        return self.min_interval_days - tolerance


@dataclass(frozen=True, slots=True)
class VaccineCatalogue:
    """The catalogue loaded once: vaccines by platform spelling and the lookup of every
    spelling (case, spaces and punctuation ignored)."""

    id: str
    version: str
    vaccines: dict[str, Vaccine]
    first_vaccination: _dt.date
    boosters_from: _dt.date
    # (first date the floor no longer applies or None, minimum age), in date order
    min_age_by_date: tuple[tuple[_dt.date | None, int], ...]
    tolerance_days: int
    additional_min_days: int
    additional_primary: frozenset[str]
    booster1_min_months: int
    booster2_min_months: int
    booster2_min_age: int
    # (first vaccine, then vaccine) -> date from which the pair is allowed (None: always)
    mixing: dict[tuple[str, str], _dt.date | None]
    # the certificate's fixed codes: disease (tg), vaccine type (vp), country (co)
    certificate: dict[str, str] = field(default_factory=dict)
    # spelling key -> platform spelling; ``exact`` holds the keys of the platform spellings
    spellings: dict[str, str] = field(default_factory=dict)
    exact: frozenset[str] = frozenset()
    # (whole-word form, platform spelling) of spellings of 4+ letters, for certain guesses
    words: tuple[tuple[str, str], ...] = ()
    # raw cell text -> match(text): a list repeats a handful of spellings
    cache: dict[str, tuple[str | None, bool]] = field(default_factory=dict, compare=False,
                                                      repr=False)

    def lookup(self, text: str) -> tuple[str | None, bool]:
        """:meth:`match`, remembered per text (the hot path of the dose checks)."""
        hit = self.cache.get(text)
        if hit is None:
            hit = self.match(text)
            if len(self.cache) < 65_536:
                self.cache[text] = hit
        return hit

    def match(self, text: str) -> tuple[str | None, bool]:
        """(platform spelling, typed exactly) of a vaccine name, (None, False) when no
        spelling matches. Case and spacing do not count: "PFIZER" is exact, "Fizer" or
        "Astra Zeneca" is an alias."""
        key = spelling_key(text)
        name = self.spellings.get(key)
        if name is None:
            return None, False
        return name, key in self.exact and " ".join(text.split()).casefold() == name.casefold()

    def certain_guess(self, text: str) -> str | None:
        """The platform spelling of an unmatched name when exactly one vaccine has a
        spelling of four or more characters written as whole words inside it ("Vắc xin
        Pfizer (Mỹ)"); None when none or several do: never a guess."""
        words = f" {_words(text)} "
        found = {name for key, name in self.words if f" {key} " in words}
        return found.pop() if len(found) == 1 else None

    def min_age_on(self, day: _dt.date) -> int:
        """The youngest age vaccinated in Vietnam on ``day``."""
        for before, age in self.min_age_by_date:
            if before is None or day < before:
                return age
        return self.min_age_by_date[-1][1]


def spelling_key(text: str) -> str:
    """A spelling's lookup key: folded (case, diacritics), letters and digits only."""
    return _NON_ALNUM.sub("", nz.fold(text))


def _words(text: str) -> str:
    return " ".join(_NON_ALNUM.sub(" ", nz.fold(text)).split())


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


# --- loading ---------------------------------------------------------------------------------

def catalogue_path(name: str = DEFAULT_CATALOGUE) -> Path:
    """The catalogue file shipped with the tool (repository or wheel copy)."""
    from vaxclean_xl.resources import resource_dir

    return resource_dir("templates") / "vaccines" / f"{name}.json"


def _date(text: object, where: str) -> _dt.date:
    day, problem = nz.parse_date(text)
    if day is None or problem:
        raise CatalogueError(f"Danh mục vắc xin: ngày «{text}» ở mục {where} không đọc được "
                             "(ghi dạng dd/mm/yyyy).")
    return day


def parse_catalogue(data: Mapping[str, object]) -> VaccineCatalogue:
    """A catalogue from the JSON data (see the file's keys); raises CatalogueError."""
    if data.get("schema") != CATALOGUE_SCHEMA:
        raise CatalogueError(f"Danh mục vắc xin không đúng lược đồ {CATALOGUE_SCHEMA}.")
    try:
        keyd = data["key_dates"]
        after = data["after_primary"]
        vaccines: dict[str, Vaccine] = {}
        for v in data["vaccines"]:
            name = nz.nfc(v["name"]).strip()
            vaccines[name] = Vaccine(
                name, _date(v["approved"], name), int(v["primary_doses"]),
                v.get("min_interval_days"), v.get("locally_allowed_min_days"),
                v.get("min_age"), v.get("max_age"), bool(v.get("counts_for_passport", True)),
                tuple(nz.nfc(a) for a in v.get("aliases", ())),
                str(v.get("certificate", {}).get("product", "")),
                str(v.get("certificate", {}).get("manufacturer", "")))
        floors = tuple((_date(f["before"], "minimum_age_by_date") if "before" in f else None,
                        int(f["min_age"])) for f in data["minimum_age_by_date"])
        mixing = {(m["first"], m["then"]): (_date(m["from"], "mixing_allowed")
                                             if "from" in m else None)
                  for m in data.get("mixing_allowed", ())}
        cat = VaccineCatalogue(
            id=str(data.get("id", "")), version=str(data.get("version", "")),
            vaccines=vaccines,
            first_vaccination=_date(keyd["first_vaccination"]["date"], "first_vaccination"),
            boosters_from=_date(keyd["boosters_from"]["date"], "boosters_from"),
            min_age_by_date=floors,
            tolerance_days=int(data.get("interval_tolerance_days", 0)),
            additional_min_days=int(after["additional_dose"]["min_days"]),
            additional_primary=frozenset(after["additional_dose"]["primary_vaccines"]),
            booster1_min_months=int(after["booster_1"]["min_months"]),
            booster2_min_months=int(after["booster_2"]["min_months"]),
            booster2_min_age=int(after["booster_2"].get("min_age", 0)),
            mixing=mixing,
            certificate={k: str(v) for k, v in data.get("certificate", {}).items()
                         if k != "evidence"},
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CatalogueError):
            raise
        raise CatalogueError(f"Danh mục vắc xin thiếu hoặc sai mục {exc}.") from exc
    unknown = {n for pair in mixing for n in pair} | set(cat.additional_primary)
    unknown -= set(vaccines)
    if unknown:
        raise CatalogueError("Danh mục vắc xin nhắc tới vắc xin không có trong danh mục: "
                             f"{', '.join(sorted(unknown))}.")
    return _with_spellings(cat, {})


def _with_spellings(cat: VaccineCatalogue, extra: Mapping[str, str]) -> VaccineCatalogue:
    spellings: dict[str, str] = {}
    for v in cat.vaccines.values():
        for alias in v.aliases:
            spellings.setdefault(spelling_key(alias), v.name)
    for alias, target in extra.items():
        spellings[spelling_key(alias)] = target
    exact = frozenset(spelling_key(v.name) for v in cat.vaccines.values())
    for v in cat.vaccines.values():  # a platform spelling always means itself
        spellings[spelling_key(v.name)] = v.name
    spellings.pop("", None)
    words = []
    for v in cat.vaccines.values():
        for s in (v.name, *v.aliases, *(a for a, t in extra.items() if t == v.name)):
            w = _words(s)
            if len(w.replace(" ", "")) >= 4:
                words.append((w, v.name))
    return replace(cat, spellings=spellings, exact=exact, words=tuple(words), cache={})


def with_aliases(cat: VaccineCatalogue, aliases: Mapping[str, str]) -> VaccineCatalogue:
    """The catalogue with a station's own spellings (alias -> a vaccine's platform spelling
    or any spelling the catalogue knows); raises CatalogueError for an unknown vaccine."""
    if not aliases:
        return cat
    resolved: dict[str, str] = {}
    for alias, target in aliases.items():
        name = cat.spellings.get(spelling_key(str(target)))
        if name is None:
            raise CatalogueError(
                f"Tên gọi khác «{alias}» chỉ tới vắc xin «{target}» không có trong danh mục; "
                f"tên trên Nền tảng: {', '.join(cat.vaccines)}.")
        resolved[nz.nfc(str(alias))] = name
    return _with_spellings(cat, resolved)


@lru_cache(maxsize=4)
def _load(path: str) -> VaccineCatalogue:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"Không đọc được danh mục vắc xin «{Path(path).name}».") from exc
    return parse_catalogue(data)


def load_catalogue(path: str | Path | None = None,
                   aliases: Mapping[str, str] | None = None) -> VaccineCatalogue:
    """The catalogue file (default: the shipped one, read once) with a station's aliases."""
    cat = _load(str(path or catalogue_path()))
    return with_aliases(cat, aliases) if aliases else cat


# --- building a record's doses ----------------------------------------------------------------

# How lists name a dose, in folded text (``normalize.fold``): "Mũi 2", "Liều thứ hai",
# "M3", "Mũi nhắc lại (lần 2)", "Mũi bổ sung". Headers and "Mũi thứ" cells share it.
_ORDINALS = {"nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5}
ORDINAL_WORDS = "|".join(_ORDINALS)
_LABEL_NUMBER = re.compile(
    rf"\b(?:mui|lieu|lan tiem|lan)(?: tiem)?(?: (?:thu|so))? ?(\d{{1,2}}|(?:{ORDINAL_WORDS})\b)"
    r"|\bm ?(\d{1,2})\b"
)
_BOOSTER = re.compile(r"\bnhac lai\b(?: (?:lan|mui))?(?: thu)? ?(\d)?")
_ADDITIONAL = re.compile(r"\b(?:mui|lieu) (?:tiem )?bo sung\b")
_BARE_NUMBER = re.compile(r"^\D*(\d{1,2})\D*$")


def label_number(folded: str) -> tuple[int, str] | None:
    """(dose number, how it was named: "n", "booster", "additional") of a dose label in
    folded text; the explicit number wins ("Mũi 4 nhắc lại lần 2" is 4), a booster without
    one is 3 ("lần 2": 4), the additional dose 3 (the one after a two-dose primary series,
    as the platform counts it)."""
    booster = _BOOSTER.search(folded)
    rest = folded[:booster.start()] + folded[booster.end():] if booster else folded
    m = _LABEL_NUMBER.search(rest)
    if m:
        raw = m.group(1) or m.group(2)
        n = int(raw) if raw.isdigit() else _ORDINALS[raw]
        return (n, "n") if 1 <= n <= 20 else None
    if booster:
        return (2 + int(booster.group(1)) if booster.group(1) else 3), "booster"
    if _ADDITIONAL.search(folded):
        return 3, "additional"
    return None


_LEADING_NUMBER = re.compile(r"^\W*(\d{1,2})\b")


def dose_label(value: object) -> tuple[int, str] | None:
    """(dose number, how it was named: "n", "booster", "additional") of a "Mũi thứ" cell:
    2, 2.0, "2", "Mũi 2", "Mũi thứ hai", "4 (nhắc lại)" (the number written first wins),
    "Mũi nhắc lại" (3, "booster"), "Mũi nhắc lại lần 2" (4), "Mũi bổ sung" (3); None
    when it names none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return (int(value), "n") if float(value).is_integer() and 0 < value < 100 else None
    folded = nz.fold(str(value))
    m = _LEADING_NUMBER.match(folded)
    if m and 0 < int(m.group(1)) < 100:
        return int(m.group(1)), "n"
    named = label_number(folded)
    if named is not None:
        return named
    m = _BARE_NUMBER.match(folded)  # "(2)", "2."
    return (int(m.group(1)), "n") if m and 0 < int(m.group(1)) < 100 else None


def dose_number(value: object) -> int | None:
    """The dose number of a "Mũi thứ" cell (:func:`dose_label`), alone."""
    label = dose_label(value)
    return label[0] if label is not None else None


def person_numbers(labels: list[tuple[int, str] | None]) -> list[int]:
    """The dose number of each of a person's rows (one row per dose), from their "Mũi thứ"
    labels, as the platform counts: after an additional dose ("Mũi bổ sung") a booster named
    without a number ("Mũi nhắc lại") is one later, a booster label repeated is the next
    dose, and a row without a label takes its place in the order."""
    shift = any(lb is not None and lb[1] == "additional" for lb in labels)
    out: list[int] = []
    boosters: list[int] = []
    for i, lb in enumerate(labels, start=1):
        if lb is None:
            out.append(i)
            continue
        n, kind = lb
        if kind == "booster":
            n += shift
            if n in boosters:
                n = max(boosters) + 1
            boosters.append(n)
        out.append(n)
    return out


def is_empty(value: object) -> bool:
    """An empty cell: nothing, or spaces only."""
    return value is None or value == "" or (value.__class__ is str and value.isspace())


@dataclass(frozen=True, slots=True)
class DoseSlot:
    """One dose's columns made ready for the hot loop: where its cells are, a getter of
    their values (in ``where.parts`` order) and the row width the getter needs."""

    number: int
    where: DoseColumns
    get: Callable[[Sequence[object]], tuple[object, ...]]
    width: int

    @classmethod
    def of(cls, number: int, cols: Mapping[str, int]) -> DoseSlot:
        where = DoseColumns.of(dict(cols))
        idx = [where.cols[p] for p in where.parts]
        getter = itemgetter(*idx)
        get = getter if len(idx) > 1 else (lambda values: (getter(values),))
        return cls(number, where, get, max(idx) + 1)

    def dose(self, number: int, row: int, values: Sequence[object]) -> Dose | None:
        """The dose in ``values``, None when all its cells are empty."""
        if len(values) >= self.width:
            got = self.get(values)
        else:
            n = len(values)
            got = tuple(values[c] if c < n else None for c in self.where.cols.values())
        for v in got:
            if v is not None and v != "" and (v.__class__ is not str or not v.isspace()):
                return Dose(number, got, row, self.where)
        return None


@dataclass(frozen=True, slots=True)
class DosePlan:
    """A layout made ready for the hot loop."""

    wide: tuple[DoseSlot, ...]
    long: DoseSlot | None
    number_col: int | None
    # the wide slots as plain tuples (number, get, where, width): the hot loop
    flat: tuple[tuple[int, Callable, DoseColumns, int], ...] = ()
    # DoseLayout.additional: a person without that dose has the later ones a number lower
    additional: int | None = None

    @classmethod
    def of(cls, layout: DoseLayout) -> DosePlan:
        wide = tuple(DoseSlot.of(n, layout.wide[n]) for n in sorted(layout.wide)
                     if any(p in layout.wide[n] for p in DOSE_PARTS))
        long = (DoseSlot.of(0, layout.long) if any(p in layout.long for p in DOSE_PARTS)
                else None)
        flat = tuple((w.number, w.get, w.where, w.width) for w in wide)
        additional = layout.additional if any(w.number == layout.additional for w in wide) \
            else None
        return cls(wide, long, layout.long.get("number"), flat, additional)


def renumbered(doses: list[Dose], additional: int | None) -> list[Dose]:
    """``doses`` (in number order) as the platform counts them: without the additional
    dose of a list that has a column for it, each later dose one number lower."""
    if additional is None or any(d.number == additional for d in doses):
        return doses
    return [d if d.number < additional else
            Dose(d.number - 1, d.values, d.row, d.where, d.vaccine, d.date) for d in doses]


def build_doses(rec: Record, values: Sequence[object], plan: DosePlan,
                person_rows: Mapping[int, list[tuple[int, list]]] | None) -> None:
    """Fill ``rec.doses`` (and ``rec.rows`` for one-row-per-dose lists) from the values of
    the record's row, or of every row of the person; empty doses are left out."""
    doses: list[Dose] = []
    if plan.flat:
        row = rec.row
        width = len(values)
        for number, get, where, need in plan.flat:  # DoseSlot.dose, inlined
            if width >= need:
                got = get(values)
            else:
                got = tuple(values[c] if c < width else None for c in where.cols.values())
            for v in got:
                if v is not None and v != "" and (v.__class__ is not str or not v.isspace()):
                    doses.append(Dose(number, got, row, where))
                    break
        doses = renumbered(doses, plan.additional)
    slot = plan.long
    if slot is not None:
        rows = (person_rows or {}).get(rec.row) or [(rec.row, values)]
        if len(rows) > 1:
            rec.rows = [r for r, _ in rows]
        col = plan.number_col
        labels = [dose_label(vals[col]) if col is not None and col < len(vals) else None
                  for _row, vals in rows]
        for number, (row, vals) in zip(person_numbers(labels), rows, strict=True):
            dose = slot.dose(number, row, vals)
            if dose is not None:
                doses.append(dose)
        doses.sort(key=lambda d: (d.number, d.row))
    if doses:
        rec.doses = doses
