"""What checks need besides the record: today's date and which columns the list has."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field


@dataclass(slots=True)
class Context:
    today: _dt.date = field(default_factory=_dt.date.today)
    # Fields that have a column in the list; a check of an absent column stays silent.
    present: frozenset[str] = frozenset()
