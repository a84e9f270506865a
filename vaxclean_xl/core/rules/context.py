"""What checks need besides the record: today's date, which columns the list has and, for
lists with dose columns, where the doses are and the vaccine catalogue."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from vaxclean_xl.core.doses import DosePlan, VaccineCatalogue
from vaxclean_xl.core.model import DoseLayout


@dataclass(slots=True)
class Context:
    today: _dt.date = field(default_factory=_dt.date.today)
    # Fields that have a column in the list; a check of an absent column stays silent.
    present: frozenset[str] = frozenset()
    # Doses: set only when the list has dose columns (no cost otherwise).
    dose_layout: DoseLayout | None = None
    # one-row-per-dose lists: the person's first row -> all the person's (row, values)
    person_rows: dict[int, list[tuple[int, list]]] = field(default_factory=dict)
    vaccines: VaccineCatalogue | None = None
    dose_plan: DosePlan | None = None
    # what a dose's own cells give (vaccine, date, findings), by its number, columns and
    # cell values: a list repeats the same few vaccines and dates (``rules.dose.check``)
    dose_memo: dict[tuple, tuple] = field(default_factory=dict)
    # the wide dose slots, each a memo of its cell values -> checked dose
    # (``rules.dose._SlotMemo``, a dict)
    dose_slots: list[dict] = field(default_factory=list)
    # the same for the slots after an additional dose, one number lower: for the persons
    # without that dose (``DosePlan.additional``), by slot position
    dose_slots_lower: dict[int, dict] = field(default_factory=dict)
    # one copy of each dose cell value seen, the memos' keys are made of (``rules.dose``)
    dose_cells: dict = field(default_factory=dict)
