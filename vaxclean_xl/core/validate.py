"""Validate a list: build typed records from raw rows, run every check, sum up the result.

Pure: takes rows already read (Excel row number + cells), returns records with findings and
the counts every writer shows. Readers and writers live in ``vaxclean_xl.io``.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from operator import itemgetter

from vaxclean_xl.core import normalize as nz
from vaxclean_xl.core.doses import DosePlan, VaccineCatalogue, load_catalogue
from vaxclean_xl.core.model import CATEGORY_ORDER, Category, DoseLayout, Record, Severity
from vaxclean_xl.core.perf import gc_paused
from vaxclean_xl.core.rules import DOSE_CHECKS, LIST_CHECKS, RECORD_CHECKS, Context

NO_HAMLET = "(chưa rõ thôn)"


@dataclass(slots=True)
class Validation:
    records: list[Record]
    present: frozenset[str]
    by_category: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    # hamlet (display name) -> Counter of categories
    by_hamlet: dict[str, Counter] = field(default_factory=dict)
    warnings: int = 0
    # each hamlet spelling -> its group's display name (see ``hamlet_names``)
    hamlet_of: dict[str, str] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(self.by_category[c] for c in CATEGORY_ORDER if c is not Category.OK)

    def summary(self) -> dict[str, int]:
        """The report's summary block (``vaxclean.validation/1``)."""
        out = {"records": len(self.records)}
        out.update({c.value: self.by_category[c] for c in CATEGORY_ORDER[::-1]})
        out["warnings"] = self.warnings
        return {k: out[k] for k in ("records", "OK", "NO_ID", "BAD_ID_FORMAT",
                                    "BAD_PERSONAL_INFO", "warnings")}


def _clean(value: object) -> str:
    if isinstance(value, str):
        return " ".join(nz.nfc(value).split())
    return nz.cell_text(value)


# Hamlet and sex cells repeat a handful of values across a whole list: memoise them.
_hamlet_text = lru_cache(maxsize=8192)(_clean)
_sex_of = lru_cache(maxsize=1024)(nz.parse_sex)


def build_record(row: int, cells: dict[str, object], name_font: str | None = None) -> Record:
    """A record with typed values; the checks fill in the findings."""
    dob_value = cells.get("dob")
    if isinstance(dob_value, str):
        dob_value = dob_value.strip()
    dob, problem = nz.parse_date(dob_value)
    # positional: this runs a million times and keyword calls cost a third more
    return Record(row, cells, _clean(cells.get("full_name")), dob, problem,
                  _sex_of(cells.get("sex")), "", "", _hamlet_text(cells.get("hamlet")),
                  name_font, [])


def make_context(columns: Iterable[str], today: _dt.date | None = None,
                 dose_layout: DoseLayout | None = None,
                 person_rows: Mapping[int, list[tuple[int, list]]] | None = None,
                 vaccines: VaccineCatalogue | None = None) -> Context:
    """The checks' context; the vaccine catalogue is loaded only for a list with doses."""
    ctx = Context(today=today or _dt.date.today(), present=frozenset(columns))
    if dose_layout:
        ctx.dose_layout = dose_layout
        ctx.dose_plan = DosePlan.of(dose_layout)
        ctx.person_rows = dict(person_rows or {})
        ctx.vaccines = vaccines or load_catalogue()
    return ctx


def validate_rows(
    rows: Iterable[tuple[int, Sequence[object]]],
    columns: dict[str, int],
    *,
    name_fonts: dict[int, str] | None = None,
    today: _dt.date | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    total: int | None = None,
    dose_layout: DoseLayout | None = None,
    person_rows: Mapping[int, list[tuple[int, list]]] | None = None,
    vaccines: VaccineCatalogue | None = None,
) -> Validation:
    """Validate rows given as (Excel row number, full row of cells) with a field->column map.

    ``on_progress(done, total)`` is called every 10,000 records when ``rows`` has a length.
    With a ``dose_layout`` (and, for one-row-per-dose lists, ``person_rows``: the person's
    first row -> all its rows) each record's doses are built and checked against the
    vaccine catalogue (``vaccines``, default the shipped file).
    """
    if total is None:
        total = len(rows) if isinstance(rows, Sized) else 0
    ctx = make_context(columns, today, dose_layout, person_rows, vaccines)
    fonts = name_fonts or {}
    items = list(columns.items())
    records: list[Record] = []
    with gc_paused():
        _check_rows(rows, items, fonts, ctx, records, total, on_progress)
        return finish(records, ctx.present, ctx)


def check_rows(
    rows: Iterable[tuple[int, Sequence[object]]],
    columns: dict[str, int],
    *,
    name_fonts: dict[int, str] | None = None,
    today: _dt.date | None = None,
    dose_layout: DoseLayout | None = None,
    person_rows: Mapping[int, list[tuple[int, list]]] | None = None,
    vaccines: VaccineCatalogue | None = None,
) -> list[Record]:
    """The per-record checks only, no list-level ones: records to re-check piecemeal (the
    merge checks ORIGINAL while it reads the returned files, then only the changed rows)
    before :func:`validate_records` runs the list-level checks once on the final list.
    Doses as in :func:`validate_rows`."""
    ctx = make_context(columns, today, dose_layout, person_rows, vaccines)
    records: list[Record] = []
    with gc_paused():
        _check_rows(rows, list(columns.items()), name_fonts or {}, ctx, records, 0, None)
    return records


def _checked(rows: Iterable[tuple[int, Sequence[object]]], items: list[tuple[str, int]],
             fonts: dict[int, str], ctx: Context) -> Iterator[tuple[Record, Sequence[object]]]:
    """Each row as a record with the identity checks run, beside its row values."""
    names = [f for f, _ in items]
    width = max((i for _, i in items), default=-1) + 1
    pick = itemgetter(*(i for _, i in items)) if len(items) > 1 else None
    checks = RECORD_CHECKS
    for row, values in rows:
        if pick is not None and len(values) >= width:
            cells = dict(zip(names, pick(values), strict=False))  # (one value per name)
        else:
            n = len(values)
            cells = {f: (values[i] if i < n else None) for f, i in items}
        rec = build_record(row, cells, fonts.get(row))
        for check in checks:
            check(rec, ctx)
        yield rec, values


def _check_rows(rows: Iterable[tuple[int, Sequence[object]]], items: list[tuple[str, int]],
                fonts: dict[int, str], ctx: Context, records: list[Record], total: int,
                on_progress: Callable[[int, int], None] | None,
                batch_size: int = 2048) -> None:
    """Check every row into ``records``. In a list with dose columns each record also gets
    its doses (from its row, or every row of the person) and the dose checks, a batch of
    records at a time (the dose checks work a column at a time)."""
    checked = _checked(rows, items, fonts, ctx)
    doses = ctx.dose_plan is not None
    size = batch_size if doses else 10_000
    while batch := list(islice(checked, size)):
        if doses:
            for dose_check in DOSE_CHECKS:
                dose_check(batch, ctx)
        before = len(records)
        records.extend(map(_RECORD_OF, batch))
        if on_progress and before // 10_000 != len(records) // 10_000:
            on_progress(len(records), total)


_RECORD_OF = itemgetter(0)


def validate_records(records: list[Record], present: Iterable[str],
                     today: _dt.date | None = None) -> Validation:
    """Re-run the list-level checks and counts on records whose findings are already set."""
    ctx = Context(today=today or _dt.date.today(), present=frozenset(present))
    return finish(records, ctx.present, ctx)


def finish(records: list[Record], present: frozenset[str], ctx: Context) -> Validation:
    for check in LIST_CHECKS:
        check(records, ctx)
    result = Validation(records=records, present=present)
    names = result.hamlet_of = hamlet_names(records)
    by_category, by_rule = result.by_category, result.by_rule
    per_hamlet: dict[str, Counter] = {}
    ok = Category.OK
    for rec in records:
        if rec.findings:
            cat = rec.category
            for f in rec.findings:
                by_rule[f.code] += 1
                if f.severity is Severity.WARNING:
                    result.warnings += 1
        else:
            cat = ok
        by_category[cat] += 1
        counts = per_hamlet.get(rec.hamlet)
        if counts is None:
            counts = per_hamlet[rec.hamlet] = result.by_hamlet.setdefault(
                names[rec.hamlet], Counter())
        counts[cat] += 1
    return result


def hamlet_names(records: Iterable[Record]) -> dict[str, str]:
    """Each hamlet spelling -> the display name of its group (``normalize.hamlet_key``):
    the most frequent spelling, ties to the first seen; no hamlet -> ``NO_HAMLET``."""
    spellings_seen: Counter = Counter(rec.hamlet for rec in records)
    counts: dict[str, Counter] = {}
    for spelling, n in spellings_seen.items():
        key = nz.hamlet_key(spelling)
        group = counts.get(key)
        if group is None:
            group = counts[key] = Counter()
        group[spelling] += n
    out: dict[str, str] = {}
    for key, spellings in counts.items():
        best = spellings.most_common(1)[0][0] if key else NO_HAMLET
        for spelling in spellings:
            out[spelling] = best
    return out
