"""The per-person dose checks skip a pair of doses when a quick test says it draws no
finding (at or after the next dose's due date, the same vaccine in the primary series, surely
old enough for a second booster). Random histories check that the quick test never hides a
finding: every pair is also put through the full pair check, and the two must agree."""

from __future__ import annotations

import datetime as dt
import random

from vaxclean_xl.core.model import DoseLayout, Record
from vaxclean_xl.core.rules import dose as rules
from vaxclean_xl.core.validate import make_context, validate_rows

TODAY = dt.date(2023, 6, 1)
COLS = {"full_name": 0, "dob": 1, "sex": 2, "id_number": 3}
PARTS = ("vaccine", "date", "lot", "site")
WIDE = DoseLayout(wide={n: {p: 4 + 4 * (n - 1) + i for i, p in enumerate(PARTS)}
                        for n in (1, 2, 3, 4)})
HISTORY = {"DOSE008", "DOSE101", "DOSE102", "DOSE103", "DOSE107"}
VACCINES = ("AstraZeneca", "Pfizer", "Moderna", "Vero Cell", "Sputnik V", "Hayat-Vax",
            "Abdala", "Janssen", "Covaxin", "Astra", "", "Nanocovax")


def _history(rng: random.Random) -> tuple[list[object], list[list[object]]]:
    # a third born around the second booster's age limit (18 in 2022)
    year = rng.randint(2002, 2006) if rng.random() < 0.3 else rng.randint(1950, 2017)
    born = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    dob: object = born.strftime("%d/%m/%Y") if rng.random() < 0.9 else ""
    day = dt.date(2021, 3, 1) + dt.timedelta(days=rng.randint(0, 400))
    first = rng.choice(VACCINES)
    doses = []
    for _ in range(rng.randint(1, 4)):
        vaccine = first if rng.random() < 0.6 else rng.choice(VACCINES)
        # gaps around every due date: a few days, 3–5 weeks, 2–5 months, or backwards
        day += dt.timedelta(days=rng.choice((rng.randint(-30, 10), rng.randint(20, 35),
                                             rng.randint(50, 150))))
        when: object = day.strftime("%d/%m/%Y") if rng.random() < 0.95 else ""
        doses.append([vaccine, when, "AB1234", "01004"])
    return [dob], doses


def _pairs_in_full(rec: Record, ctx) -> list[tuple[int, str]]:
    """The history findings of every consecutive pair, each through the full pair check."""
    cat = ctx.vaccines
    facts = []
    for d in rec.doses:
        _, _, tail = rules._facts(d.number, d.where, d.values, ctx, cat)
        facts.append((d, *tail))
    scratch = Record(rec.row, rec.cells, dob=rec.dob)
    first = facts[0]
    series = first[9] if first[11] is not None else None
    kinds = first[11] if series is not None else rules._ORDER_ONLY
    for prev, f in zip(facts, facts[1:], strict=False):
        if prev[5] == f[5] - 1:
            rules._check_pair(scratch, prev, f, series, kinds[f[5]], cat)
    return sorted((x.row, x.code + x.field + x.message) for x in scratch.findings)


def test_quick_pair_test_never_hides_a_finding():
    rng = random.Random(20221203)
    rows = []
    for i in range(3000):
        dob, doses = _history(rng)
        values = ["Nguyễn Văn An", *dob, "Nam", "001090123456"]
        for d in doses:
            values += d
        rows.append((10 + i, values))
    result = validate_rows(rows, COLS, today=TODAY, dose_layout=WIDE)
    ctx = make_context(COLS, TODAY, WIDE)
    seen: set[str] = set()
    for rec in result.records:
        got = sorted((x.row, x.code + x.field + x.message) for x in rec.findings
                     if x.code in HISTORY)
        assert got == _pairs_in_full(rec, ctx), rec.row
        seen.update(x.code for x in rec.findings if x.code in HISTORY)
    assert seen == HISTORY  # the random histories reach every pair finding
