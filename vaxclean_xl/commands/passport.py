"""``vaxclean passport``: who can be signed for a vaccine passport today, and why not the
others (procedure step 5).

Vaccination sites sign ("ký xác nhận") the passport records every day; a record can be
signed only when the identity is right and the injections are complete and correct. This
command reads a list with dose columns, validates it (identity and doses, with the
station's vaccine spellings from the settings), judges every person with
``core.passport.assess`` and writes the workbook staff print and sign (and, when asked, the
JSON report ``progress`` reads) through ``formats.passport_report``.

``since``: the day's signing list, people with a dose dated on or after that day (the pairs
of records of one person are still looked for over the whole list).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path

from vaxclean_xl.commands.common import beside, open_list
from vaxclean_xl.core.doses import load_catalogue
from vaxclean_xl.core.passport import Assessment, Status, assess
from vaxclean_xl.core.validate import Validation
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.formats import passport_report as PR
from vaxclean_xl.io.atomic import output_batch
from vaxclean_xl.io.reader import Table
from vaxclean_xl.settings import Settings

OUTPUT_SUFFIX = ".hochieu.xlsx"
JSON_SUFFIX = ".hochieu.json"

NO_DOSES_VI = ("Danh sách «{name}» không có cột mũi tiêm (tên vắc xin và ngày tiêm của từng "
               "mũi), nên chưa xét được ai đủ điều kiện ký hộ chiếu vắc xin. Dùng danh sách "
               "xuất từ Nền tảng có các cột «Mũi 1», «Mũi 2»… (hoặc chỉ định cột bằng --map).")

_SINCE_RE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*")


def parse_since(text: str | _dt.date | None) -> _dt.date | None:
    """``--since``'s day from dd/mm/yyyy (a date is taken as it is); a Vietnamese error
    (exit 2) when it is not one."""
    if text is None or isinstance(text, _dt.date):
        return text
    m = _SINCE_RE.fullmatch(text)
    if m:
        day, month, year = (int(x) for x in m.groups())
        try:
            return _dt.date(year, month, day)
        except ValueError:
            pass
    raise InputError(f"Ngày --since «{text}» không hợp lệ: ghi theo dạng ngày/tháng/năm, "
                     "ví dụ 05/03/2022.", code=E.PASSPORT_SINCE)


@dataclass(slots=True)
class PassportOutcome:
    """What ``passport`` judged and wrote: the list, its validation, the assessment, the
    workbook and the JSON report (None unless asked for)."""

    table: Table
    result: Validation
    assessment: Assessment
    output: Path
    report: Path | None = None

    @property
    def count(self) -> int:
        """Persons in the workbook (every person kept, whatever the status)."""
        return len(self.assessment.entries)

    @property
    def warnings(self) -> list[str]:
        """What staff should look at (the Excel button shows it)."""
        n = self.assessment.count()
        out = []
        if n[Status.BLOCKED]:
            out.append(f"{n[Status.BLOCKED]} người chưa ký được: xem lý do và cách sửa ở trang "
                       f"«{PR.BLOCKED_SHEET}».")
        if self.assessment.pairs:
            out.append(f"{len(self.assessment.pairs)} cặp hồ sơ của cùng một người cần gộp "
                       f"(trang «{PR.PAIRS_SHEET}»).")
        return out

    @property
    def exit_code(self) -> int:
        """0 when every person with doses is READY, else 1 (as ``validate``)."""
        return 0 if self.assessment.all_ready else 1


def passport(
    src: str | Path,
    output: str | Path | None = None,
    *,
    json: str | Path | None = None,
    since: str | _dt.date | None = None,
    settings: Settings | None = None,
    settings_file: str | Path | None = None,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    today: _dt.date | None = None,
) -> PassportOutcome:
    """Judge every person of ``src`` for the vaccine passport and write the workbook
    (default ``<stem>.hochieu.xlsx`` beside ``src``) and, with ``json``, the report; both
    or neither. Raises :class:`~vaxclean_xl.errors.VaxcleanError` for unusable inputs (a
    list without dose columns, a bad ``since``)."""
    day = parse_since(since)
    src = Path(src)
    report = Path(json) if json else None
    opened = open_list(src, output, suffix=OUTPUT_SUFFIX, outputs=[report], sheet=sheet,
                       mapping=mapping, settings=settings, settings_file=settings_file,
                       with_settings=True, today=today, validate=False)
    if not opened.table.dose_layout:
        raise InputError(NO_DOSES_VI.format(name=src.name), code=E.PASSPORT_NO_DOSES)
    result = opened.validate()
    aliases = opened.settings.vaccine_aliases
    assessment = assess(result, load_catalogue(aliases=aliases or None), since=day)
    out = opened.output or beside(src, OUTPUT_SUFFIX)
    with output_batch() as batch:
        PR.write_passport_workbook(
            batch.path(out), assessment, settings=opened.settings, today=opened.today,
            source=src.name,
            people={r.row: r for r in result.records} if day is not None else None)
        if report is not None:
            PR.write_passport_json(batch.path(report), assessment, source=src.name,
                                   generated=opened.today)
    return PassportOutcome(opened.table, result, assessment, out, report)


def passport_with_report(src: str | Path, *, sheet: str | None = None,
                         today: _dt.date | None = None) -> PassportOutcome:
    """The Excel button's run: the workbook and the JSON report beside the list (the
    report is what ``progress`` reads for each hamlet's readiness)."""
    src = Path(src)
    return passport(src, json=beside(src, JSON_SUFFIX), sheet=sheet, today=today)
