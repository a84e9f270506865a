"""Write the list the commune police check against the population database (procedure
steps 2–3).

After the hamlets' review (``split``/``merge``), the people whose records still fail a rule
go to the commune police (Công an xã), who check them against the National Population
Database (CSDLQG về dân cư), write the result and the correct values, sign, and hand the
list back. This command validates INPUT, picks every record whose group is not OK, and
writes a printable, protected list grouped by hamlet (layout and reader:
``vaxclean_xl.io.police_layout``), optionally also a PDF through LibreOffice.

Why the list carries a hidden record key and a meta sheet: ``merge`` will take the returned
list back (the police's values win over the hamlets'), and must know which source row each
line is and that the file belongs to this list (its id is a hash of INPUT's bytes).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.commands.common import beside, open_list
from vaxclean_xl.core.collate import hamlet_order  # re-exported: one hamlet order everywhere
from vaxclean_xl.core.model import Category, Record
from vaxclean_xl.core.presentation import problem_text, shown_values
from vaxclean_xl.core.validate import NO_HAMLET, Validation
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.io.atomic import OutputBatch, output_batch
from vaxclean_xl.io.office import OfficeError, convert_file, find_soffice
from vaxclean_xl.io.reader import Table
from vaxclean_xl.settings import Settings

OUTPUT_SUFFIX = ".congan.xlsx"
PDF_TIMEOUT = 180  # seconds; a first LibreOffice start on an old PC takes a while

NO_SOFFICE_VI = ("Không tìm thấy LibreOffice (soffice) trên máy nên chưa tạo được tệp PDF. "
                 "Tệp Excel đã ghi xong: mở tệp đó để in, hoặc cài LibreOffice rồi chạy lại "
                 "với --pdf.")


@dataclass(slots=True)
class PoliceOutcome:
    """What ``police_list`` wrote: the list, its id, the records in it, the PDF (if any)."""

    table: Table
    result: Validation
    list_id: str
    output: Path
    groups: list[P.ListGroup]
    records: list[Record] = field(default_factory=list)
    pdf: Path | None = None
    pdf_message: str | None = None  # Vietnamese, when --pdf was asked and none was written

    @property
    def count(self) -> int:
        return len(self.records)


def build_groups(result: Validation, list_id: str,
                 baseline: dict[int, Category] | None = None
                 ) -> tuple[list[P.ListGroup], list[Record]]:
    """The records to verify (group not OK now, or not OK in the ``baseline`` report of the
    original list: the police confirm the hamlets' corrections too), per hamlet, hamlets
    sorted, rows in list order."""
    base = baseline or {}
    chosen = [r for r in result.records if r.category is not Category.OK
              or base.get(r.row, Category.OK) is not Category.OK]
    by_hamlet: dict[str, P.ListGroup] = {}
    for rec in chosen:
        name = result.hamlet_of.get(rec.hamlet, NO_HAMLET)
        group = by_hamlet.setdefault(name, P.ListGroup(name))
        group.rows.append(P.ListRow(P.make_key(list_id, rec.row), rec.row,
                                    shown_values(rec, P.ORIG_HEADERS), problem_text(rec)))
    groups = [by_hamlet[n] for n in sorted(by_hamlet, key=hamlet_order)]
    ordered = {r.row: r for r in chosen}
    return groups, [ordered[row.source_row] for g in groups for row in g.rows]


def police_list(
    src: str | Path,
    output: str | Path | None = None,
    *,
    pdf: bool = False,
    settings: Settings | None = None,
    settings_file: str | Path | None = None,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    today: _dt.date | None = None,
    baseline: str | Path | None = None,
) -> PoliceOutcome:
    """Validate ``src`` and write the police list (and its PDF when ``pdf`` and LibreOffice
    is installed); raises :class:`~vaxclean_xl.errors.VaxcleanError` for unusable inputs."""
    src = Path(src)
    out = Path(output) if output else beside(src, OUTPUT_SUFFIX)
    pdf_path = out.with_suffix(".pdf")
    opened = open_list(src, out, outputs=[pdf_path] if pdf else [], sheet=sheet,
                       mapping=mapping, settings=settings, settings_file=settings_file,
                       with_settings=True, today=today)
    table, result, today = opened.table, opened.validation, opened.today
    source_sha = P.sha256_file(src)
    list_id = P.list_id_for(source_sha)
    from vaxclean_xl.formats.validation_report import load_baseline

    groups, records = build_groups(result, list_id,
                                   load_baseline(baseline) if baseline else None)
    meta = {"schema": P.SCHEMA, "list_id": list_id, "source_sha256": source_sha,
            "source_file": src.name, "source_sheet": table.sheet,
            "created": today.isoformat(), "records": str(len(records))}
    outcome = PoliceOutcome(table, result, list_id, out, groups, records)
    # both files or neither: a PDF that cannot be written leaves no list behind (a PDF
    # LibreOffice cannot make is only a message: the list is still useful)
    with output_batch() as batch:
        tmp = batch.path(out)
        P.write_police_workbook(tmp, groups=groups, settings=opened.settings, meta=meta,
                                today=today)
        if pdf:
            exe = find_soffice()
            if exe is None:
                outcome.pdf_message = NO_SOFFICE_VI
            else:
                try:
                    outcome.pdf = convert_to_pdf(tmp, pdf_path, soffice=exe, batch=batch)
                except PdfError as exc:
                    outcome.pdf_message = exc.message
    return outcome


# --- PDF through LibreOffice -----------------------------------------------------------------

class PdfError(Exception):
    """LibreOffice ran but gave no PDF; ``message`` is Vietnamese (the .xlsx is kept)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def convert_to_pdf(xlsx: Path, pdf: Path, *, soffice: str | None = None,
                   timeout: float = PDF_TIMEOUT, batch: OutputBatch | None = None) -> Path:
    """Convert ``xlsx`` to ``pdf`` with headless LibreOffice (the workbook's own print
    setup: A4 landscape, one page wide, repeated headers, page numbers), through the one
    converter ``io.office``; written atomically, as part of ``batch`` when given.
    """
    try:
        return convert_file(xlsx, pdf, "pdf", soffice=soffice, timeout=timeout, batch=batch)
    except OfficeError as exc:
        raise PdfError(_PDF_FAILURE.get(exc.reason, _PDF_FAILURE["no_output"]).format(
            timeout=exc.timeout or timeout)) from exc


_PDF_FAILURE = {
    "missing": NO_SOFFICE_VI,
    "start": "Không chạy được LibreOffice nên chưa tạo được tệp PDF; tệp Excel đã ghi xong.",
    "timeout": "LibreOffice chạy quá {timeout:g} giây nên chưa tạo được tệp PDF; tệp Excel "
               "đã ghi xong.",
    "no_output": "LibreOffice không tạo được tệp PDF; tệp Excel đã ghi xong.",
}
