"""The vaccine passport outputs (``vaxclean passport``): the printable workbook and the JSON
report ``vaxclean.passport/1``; their layout, typed record, writers and the report's reader.

Why one module: the workbook staff print and sign and the JSON ``progress`` reads back say
the same thing about the same people; keeping both layouts, the typed record
(:class:`PassportReport`) and the reader here means ``commands.passport`` and
``commands.progress`` cannot drift from what was written.

The workbook (:func:`write_passport_workbook`):

* :data:`READY_SHEET` "Sẵn sàng ký": READY persons by hamlet (Vietnamese natural order,
  ``core.collate``), then by name (given name first, as Vietnamese lists are searched),
  with what the certificate will show (name as printed, dose x/y, date, vaccine, the EU
  value-set product and manufacturer, country);
* :data:`BLOCKED_SHEET` "Chưa ký được": BLOCKED, then NO_DOSES persons per hamlet, every
  reason's code and message, what to fix (``core.passport.REASONS``) and the rows of the
  same person's other record;
* :data:`PAIRS_SHEET` "Trùng người": one line per pair of records of one person;
* :data:`SUMMARY_SHEET` "Tổng hợp": counts per status, per reason, per hamlet, and a chart.

Every sheet prints A4 landscape, one page wide, header rows repeated, "Trang x/y" in the
footer; the three lists carry the official heading and the signature blocks of the
station's settings (``formats.police_list``'s print helpers). IDs and phone numbers are
text cells in '@' format (leading zeros stay).
"""

from __future__ import annotations

import datetime as _dt
import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

from vaxclean_xl.core.collate import hamlet_order, vi_sort_key
from vaxclean_xl.core.model import Record
from vaxclean_xl.core.normalize import format_date
from vaxclean_xl.core.passport import (
    REASONS,
    SCHEMA,
    STATUS_LABEL_VI,
    Assessment,
    Certificate,
    Entry,
    Reason,
    SamePerson,
    Status,
)
from vaxclean_xl.core.perf import gc_paused
from vaxclean_xl.core.presentation import shown
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.validation_report import dump_records
from vaxclean_xl.settings import Settings
from vaxclean_xl.xlsx.insert_rows import Block, Column, insert_rows, xf_index

READY_SHEET = "Sẵn sàng ký"
BLOCKED_SHEET = "Chưa ký được"
PAIRS_SHEET = "Trùng người"
SUMMARY_SHEET = "Tổng hợp"
SHEETS: tuple[str, ...] = (READY_SHEET, BLOCKED_SHEET, PAIRS_SHEET, SUMMARY_SHEET)

READY_TITLE = "DANH SÁCH NGƯỜI ĐỦ ĐIỀU KIỆN KÝ XÁC NHẬN HỘ CHIẾU VẮC XIN COVID-19"
BLOCKED_TITLE = "DANH SÁCH NGƯỜI CHƯA KÝ XÁC NHẬN ĐƯỢC HỘ CHIẾU VẮC XIN VÀ VIỆC CẦN SỬA"
PAIRS_TITLE = "DANH SÁCH MỘT NGƯỜI CÓ HAI HỒ SƠ TIÊM CHỦNG (CẦN GỘP HỒ SƠ)"
SUMMARY_TITLE = "TỔNG HỢP TÌNH TRẠNG KÝ XÁC NHẬN HỘ CHIẾU VẮC XIN"
MERGE_ACTION = "Gộp hồ sơ trên nền tảng"
NOBODY = "Không có người nào."
TIES_VI: dict[str, str] = {
    "id": "Cùng họ tên, ngày sinh và số CCCD/CMND",
    "no_id": "Cùng họ tên, ngày sinh; một hồ sơ không có số CCCD/CMND",
    "phone": "Cùng họ tên, ngày sinh và số điện thoại",
}
CHART_TITLE = "Tình trạng ký hộ chiếu vắc xin theo thôn/ấp"

HEADER_ROW = 7  # 1-based Excel row of every list's header (title block in rows 1-5)
FIRST_ROW = 8  # first data row

# (header, width, text): the person's columns every list begins with
PERSON_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("STT", 5, False),
    ("Dòng trong danh sách", 8, False),
    ("Họ và tên", 22, False),
    ("Ngày sinh", 11, True),
    ("Giới tính", 7, False),
    ("Số CCCD/CMND", 14, True),
    ("Số điện thoại", 12, True),
    ("Thôn/ấp", 12, False),
)
READY_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    *PERSON_COLUMNS,
    ("Tên trên chứng nhận", 22, True),
    ("Mũi", 6, True),
    ("Ngày tiêm", 11, True),
    ("Vắc xin", 14, False),
    ("Sản phẩm (mp)", 16, True),
    ("Nhà sản xuất (ma)", 14, True),
    ("Quốc gia", 7, True),
)
BLOCKED_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    *PERSON_COLUMNS,
    ("Tình trạng", 11, False),
    ("Mã lý do", 9, False),
    ("Lý do", 40, False),
    ("Cách sửa", 34, False),
    ("Cùng người với dòng", 9, False),
)
PAIR_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("STT", 5, False),
    ("Dòng A", 7, False),
    ("Họ và tên A", 20, False),
    ("Ngày sinh", 11, True),
    ("Số CCCD/CMND A", 14, True),
    ("Số điện thoại A", 12, True),
    ("Mũi của A", 8, True),
    ("Dòng B", 7, False),
    ("Họ và tên B", 20, False),
    ("Số CCCD/CMND B", 14, True),
    ("Số điện thoại B", 12, True),
    ("Mũi của B", 8, True),
    ("Căn cứ", 24, False),
    ("Việc cần làm", 16, False),
)
STATUS_HEADER = "Tình trạng"
COUNT_HEADER = "Số người"
PERSON_FIELDS = ("full_name", "dob", "sex", "id_number", "phone")


# --- the JSON report's typed record -----------------------------------------------------------

@dataclass(slots=True)
class PassportRecord:
    """One person of the report: row, hamlet, status, reasons, the other record's rows and
    the certificate (None unless the series is complete)."""

    row: int
    hamlet: str
    status: Status
    reasons: list[Reason] = field(default_factory=list)
    same_person_rows: list[int] = field(default_factory=list)
    certificate: Certificate | None = None

    @classmethod
    def of(cls, e: Entry) -> PassportRecord:
        return cls(e.row, e.hamlet, e.status, list(e.reasons), list(e.same_person_rows),
                   e.certificate)


@dataclass(slots=True)
class PassportReport:
    """The content of a ``vaxclean.passport/1`` report."""

    generated: str  # ISO date the report was made
    source: str  # the list's file name (no folder: the report may travel)
    since: str | None  # dd/mm/yyyy of --since, None for the whole list
    catalogue: str  # "<id> <version>" of the vaccine catalogue used
    records: list[PassportRecord] = field(default_factory=list)
    pairs: list[SamePerson] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_assessment(cls, a: Assessment, *, source: str,
                        generated: _dt.date) -> PassportReport:
        return cls(generated.isoformat(), source, format_date(a.since) if a.since else None,
                   a.catalogue, [PassportRecord.of(e) for e in a.entries], list(a.pairs),
                   a.summary())

    def by_hamlet(self) -> dict[str, Counter]:
        """hamlet -> Counter of statuses (what ``progress`` shows per hamlet)."""
        out: dict[str, Counter] = {}
        for r in self.records:
            out.setdefault(r.hamlet, Counter())[r.status] += 1
        return out

    def to_json(self) -> str:
        """The report's JSON, exactly as :func:`write_passport_json` writes it."""
        buf = io.StringIO(newline="\n")
        dump_records(buf, self.head(), (record_dict(r) for r in self.records))
        return buf.getvalue()

    def head(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "generated": self.generated, "source": self.source,
                "since": self.since, "catalogue": self.catalogue,
                "summary": self.summary, "pairs": [pair_dict(p) for p in self.pairs]}

    @classmethod
    def from_dict(cls, data: object) -> PassportReport:
        """The report in ``data`` (parsed JSON); ``ValueError`` when it is not one."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} report")
        try:
            records = [PassportRecord(
                int(item["row"]), str(item.get("hamlet") or ""), Status(item["status"]),
                [Reason(str(r["code"]), str(r["message"])) for r in item.get("reasons") or []],
                [int(x) for x in item.get("same_person_rows") or []],
                _certificate(item.get("certificate"))) for item in data["records"]]
            pairs = [SamePerson((int(p["rows"][0]), int(p["rows"][1])),
                                (tuple(int(x) for x in p["doses"][0]),
                                 tuple(int(x) for x in p["doses"][1])), str(p["why"]))
                     for p in data.get("pairs") or []]
            since = data.get("since")
            return cls(str(data.get("generated") or ""), str(data.get("source") or ""),
                       None if since is None else str(since), str(data.get("catalogue") or ""),
                       records, pairs, dict(data.get("summary") or {}))
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"broken {SCHEMA} report") from exc

    @classmethod
    def from_json(cls, text: str) -> PassportReport:
        return cls.from_dict(json.loads(text))


_CERT_FIELDS = ("family_name", "given_name", "dob", "dose_number", "total_doses", "date",
                "vaccine", "product", "manufacturer", "disease", "vaccine_type", "country")


def _certificate(data: object) -> Certificate | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TypeError("certificate")
    values = {k: data[k] for k in _CERT_FIELDS}
    values["dose_number"], values["total_doses"] = (int(values["dose_number"]),
                                                    int(values["total_doses"]))
    return Certificate(**values)


def record_dict(r: PassportRecord | Entry) -> dict[str, object]:
    cert = r.certificate
    return {"row": r.row, "hamlet": r.hamlet, "status": r.status.value,
            "reasons": [{"code": x.code, "message": x.message} for x in r.reasons],
            "same_person_rows": list(r.same_person_rows),
            "certificate": cert.as_json() if cert is not None else None}


def pair_dict(p: SamePerson) -> dict[str, object]:
    return {"rows": list(p.rows), "doses": [list(p.doses[0]), list(p.doses[1])],
            "why": p.why}


def write_passport_json(path: str | Path, assessment: Assessment, *, source: str,
                        generated: _dt.date) -> None:
    """Write the report of ``assessment`` to ``path`` (the caller makes it atomic)."""
    head = PassportReport(generated.isoformat(), source,
                          format_date(assessment.since) if assessment.since else None,
                          assessment.catalogue, [], list(assessment.pairs),
                          assessment.summary()).head()
    with open(path, "w", encoding="utf-8", newline="\n") as fh, gc_paused():
        dump_records(fh, head, (record_dict(e) for e in assessment.entries))


class NotAPassportReport(InputError):  # noqa: N818 - a user-facing refusal, like InputError
    """A file that is not a passport report of vaxclean; ``message`` says why."""

    code = E.PASSPORT_REPORT


def read_passport_report(path: str | Path) -> PassportReport:
    """The report at ``path``; :class:`NotAPassportReport` when it is not one."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise NotAPassportReport(f"Không đọc được «{path.name}» (không phải JSON hợp "
                                 "lệ).") from exc
    try:
        return PassportReport.from_dict(data)
    except ValueError as exc:
        raise NotAPassportReport(f"«{path.name}» không phải báo cáo hộ chiếu vắc xin của "
                                 f"vaxclean ({SCHEMA}).") from exc


# --- the workbook ---------------------------------------------------------------------------

_word_key = lru_cache(maxsize=65_536)(vi_sort_key)


def name_order(name: str) -> tuple[Any, Any]:
    """Vietnamese lists by name: the given name (last word) first, then the whole name.
    Why composed from each word's cached key: a commune's names share a few hundred words,
    and ``vi_sort_key`` keys a text word by word (its segments never span a space), so
    the composition is ``vi_sort_key(name)`` at a fraction of the cost (a test checks)."""
    keys = [_word_key(w) for w in name.split()]
    whole = (tuple(chain.from_iterable(k[0] for k in keys)), " ".join(k[1] for k in keys),
             name)
    return (keys[-1] if keys else _word_key("")), whole


def _ranks(texts: set[str], key: Any) -> dict[str, int]:
    """Each text's place among ``texts`` by ``key`` (equal keys, equal places)."""
    out: dict[str, int] = {}
    rank, last = -1, object()
    for k, text in sorted((key(t), t) for t in texts):
        if k != last:
            rank, last = rank + 1, k
        out[text] = rank
    return out


def _name_ranks(names: set[str]) -> dict[str, int]:
    """Each name's place by :func:`name_order`, with every syllable of the keys replaced
    by its place among the syllables used (same order, flat integer tuples: 10,000 names
    sort in a tenth of the time their nested keys take)."""
    keyed = {n: name_order(n) for n in names}
    syllables = {seg for given, whole in keyed.values() for seg in (*given[0], *whole[0])}
    place = {seg: i for i, seg in enumerate(sorted(syllables))}

    def flat(k: tuple[Any, str, str]) -> tuple[tuple[int, ...], str, str]:
        return tuple(place[seg] for seg in k[0]), k[1], k[2]

    return _ranks(names, lambda n: (flat(keyed[n][0]), flat(keyed[n][1])))


def in_list_order(entries: Sequence[Entry]) -> tuple[list[Entry], list[Entry]]:
    """(READY, the others) in the lists' order: by hamlet (natural Vietnamese order, no
    hamlet last), then by name, then row; the others per hamlet BLOCKED before NO_DOSES.
    Why ranks: each distinct hamlet and name is keyed and compared once, the persons then
    sorted on small integers (a commune's hamlets and names repeat)."""
    hamlet = _ranks({e.hamlet for e in entries}, hamlet_order)
    name = _name_ranks({e.record.full_name for e in entries})
    ready = sorted((e for e in entries if e.status is Status.READY),
                   key=lambda e: (hamlet[e.hamlet], name[e.record.full_name], e.row))
    others = sorted((e for e in entries if e.status is not Status.READY),
                    key=lambda e: (hamlet[e.hamlet], e.status is Status.NO_DOSES,
                                   name[e.record.full_name], e.row))
    return ready, others


def _person_cells(e: Entry | None, rec: Record, hamlet: str) -> list[str]:
    v = [shown(rec, f) for f in PERSON_FIELDS]
    return [*v, hamlet if e is None else e.hamlet]


def write_passport_workbook(path: str | Path, assessment: Assessment, *, settings: Settings,
                            today: _dt.date, source: str,
                            people: Mapping[int, Record] | None = None) -> None:
    """Write the four sheets to ``path`` (the caller makes it atomic). ``people``: row ->
    record of the whole list, for pairs whose other record is outside ``--since``."""
    # XlsxWriter writes each sheet's frame into memory (constant_memory: the rows between
    # the header and the signature block are not walked); the data rows, millions of
    # cells on a big commune, go in as XML afterwards (xlsx.insert_rows: 5 µs a cell less)
    frame = io.BytesIO()
    with gc_paused():  # keys, rows and XML: many small objects, no cycles
        _write_workbook(frame, path, assessment, settings, today, source, people)


def _write_workbook(frame: io.BytesIO, path: str | Path, assessment: Assessment,
                    settings: Settings, today: _dt.date, source: str,
                    people: Mapping[int, Record] | None) -> None:
    from vaxclean_xl.xlsx.workbook import new_workbook

    wb = new_workbook(frame, constant_memory=True)
    try:
        wb.set_properties({"title": "Hộ chiếu vắc xin: sẵn sàng ký và việc cần sửa",
                           "author": "vaxclean", "comments": SCHEMA})
        F = P.Formats(wb)
        book = _Book(wb, F, settings, today, source, assessment.since)
        ready, blocked = in_list_order(assessment.entries)
        book.ready_sheet(ready)
        book.blocked_sheet(blocked)
        lookup: dict[int, Record] = dict(people or {})
        for e in assessment.entries:
            lookup.setdefault(e.row, e.record)
        book.pairs_sheet(assessment.pairs, lookup,
                         {e.row: e.hamlet for e in assessment.entries})
        book.summary_sheet(assessment)
    finally:
        wb.close()
    insert_rows(frame.getvalue(), path, book.blocks)


class _Book:
    """The workbook being written: shared formats, heading and signature blocks."""

    def __init__(self, wb: Any, F: P.Formats, s: Settings, today: _dt.date, source: str,
                 since: _dt.date | None) -> None:
        self.wb, self.F, self.s, self.today = wb, F, s, today
        when = f"; người có mũi tiêm từ ngày {format_date(since)}" if since else ""
        self.subtitle = f"(Danh sách «{source}»{when}; ngày lập {format_date(today)})"
        self.station = P.station_unit(s)
        self.blocks: list[Block] = []  # the list sheets' data rows, inserted after close

    def _sheet(self, name: str, title: str, columns: Sequence[tuple[str, float, bool]]
               ) -> Any:
        ws = self.wb.add_worksheet(name)
        last = len(columns) - 1
        half = max(2, last // 2)
        P.write_heading(ws, self.F, left=[self.station], left_cols=(0, half - 1),
                        right_cols=(half, last), span=(0, last),
                        date_line=P.official_date(self.today, P.place_name(self.s)),
                        title=title, lines=[(self.subtitle, self.F.subtitle)])
        head = HEADER_ROW - 1
        for c, (text, width, _t) in enumerate(columns):
            ws.write_string(head, c, text, self.F.head)
            ws.set_column(c, c, width)
        ws.set_row(head, 36)
        return ws

    def _rows(self, ws: Any, columns: Sequence[tuple[str, float, bool]],
              rows: Sequence[Sequence[object]], wrap: Sequence[int] = ()) -> int:
        """Lay out the data rows (inserted after XlsxWriter is done, see
        ``write_passport_workbook``); returns the 0-based last row they use."""
        F = self.F
        r = FIRST_ROW - 1
        if not rows:
            ws.merge_range(r, 0, r, len(columns) - 1, NOBODY, F.italic)
            return r
        stt, text, cell, problem = (xf_index(f) for f in (F.stt, F.text, F.cell, F.problem))
        cols = [Column(text if t else problem if c in wrap else cell, text if t else cell, stt)
                for c, (_h, _w, t) in enumerate(columns)]
        heights = None
        if wrap:
            fit = [(c, columns[c][1]) for c in wrap]
            heights = [P.fit_height([(str(values[c]), width, 11) for c, width in fit])
                       for values in rows]
        self.blocks.append(Block(ws.name, FIRST_ROW, cols, rows, heights))
        return r + len(rows) - 1

    def _finish(self, ws: Any, columns: Sequence[tuple[str, float, bool]], last: int,
                *, sign: bool = True) -> None:
        end = last
        lastc = len(columns) - 1
        if sign:
            half = max(2, lastc // 2)
            end = P.write_signatures(ws, self.F, last + 2, [
                P.SignBlock((0, half - 1), "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)",
                            self.s.preparer),
                P.SignBlock((half, lastc), self.station, "(Ký, ghi rõ họ tên, đóng dấu)",
                            self.s.station_head, P.official_date(None, P.place_name(self.s))),
            ])
        head = HEADER_ROW - 1
        ws.freeze_panes(FIRST_ROW - 1, 3 if sign else 0)
        P.setup_print(ws, header_rows=(head, head), last_row=end, first_col=0, last_col=lastc)

    def ready_sheet(self, entries: Sequence[Entry]) -> None:
        ws = self._sheet(READY_SHEET, READY_TITLE, READY_COLUMNS)
        rows = []
        for i, e in enumerate(entries, 1):
            c = e.certificate
            cert = ([c.name, c.dose_text, c.date, c.vaccine, c.product, c.manufacturer,
                     c.country] if c is not None else [""] * 7)
            rows.append([i, e.row, *_person_cells(e, e.record, e.hamlet), *cert])
        self._finish(ws, READY_COLUMNS, self._rows(ws, READY_COLUMNS, rows))
        ws.activate()

    def blocked_sheet(self, entries: Sequence[Entry]) -> None:
        ws = self._sheet(BLOCKED_SHEET, BLOCKED_TITLE, BLOCKED_COLUMNS)
        rows = []
        for i, e in enumerate(entries, 1):
            fixes = list(dict.fromkeys(REASONS[r.code].fix for r in e.reasons
                                       if r.code in REASONS))
            rows.append([i, e.row, *_person_cells(e, e.record, e.hamlet),
                         STATUS_LABEL_VI[e.status], "\n".join(r.code for r in e.reasons),
                         "\n".join(r.message for r in e.reasons), "\n".join(fixes),
                         ", ".join(map(str, e.same_person_rows))])
        first = len(PERSON_COLUMNS)
        wrap = (first + 1, first + 2, first + 3)
        self._finish(ws, BLOCKED_COLUMNS, self._rows(ws, BLOCKED_COLUMNS, rows, wrap))

    def pairs_sheet(self, pairs: Sequence[SamePerson], people: Mapping[int, Record],
                    hamlets: Mapping[int, str]) -> None:
        ws = self._sheet(PAIRS_SHEET, PAIRS_TITLE, PAIR_COLUMNS)
        rows = []

        def side(row: int) -> tuple[Record | None, str, str, str]:
            rec = people.get(row)
            if rec is None:
                return None, "", "", ""
            return rec, shown(rec, "full_name"), shown(rec, "id_number"), shown(rec, "phone")

        ordered = sorted(pairs, key=lambda p: (hamlet_order(hamlets.get(p.rows[0], "")),
                                               p.rows))
        for i, p in enumerate(ordered, 1):
            (ra, rb), (da, db) = p.rows, p.doses
            a, name_a, id_a, phone_a = side(ra)
            _b, name_b, id_b, phone_b = side(rb)
            dob = shown(a, "dob") if a is not None else ""
            rows.append([i, ra, name_a, dob, id_a, phone_a, _doses(da), rb, name_b, id_b,
                         phone_b, _doses(db), TIES_VI.get(p.why, p.why), MERGE_ACTION])
        self._finish(ws, PAIR_COLUMNS, self._rows(ws, PAIR_COLUMNS, rows, (12,)))

    def summary_sheet(self, a: Assessment) -> None:
        F = self.F
        ws = self.wb.add_worksheet(SUMMARY_SHEET)
        widths = (22, 44, 13, 13, 13, 10)
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        P.write_heading(ws, F, left=[self.station], left_cols=(0, 1), right_cols=(2, 5),
                        span=(0, 5), date_line=P.official_date(self.today, P.place_name(self.s)),
                        title=SUMMARY_TITLE, lines=[(self.subtitle, F.subtitle)])
        r = HEADER_ROW - 1
        counts = a.count()
        ws.write_string(r, 0, STATUS_HEADER, F.head)
        ws.write_string(r, 1, COUNT_HEADER, F.head)
        for s in Status:
            r += 1
            ws.write_string(r, 0, STATUS_LABEL_VI[s], F.cell)
            ws.write_number(r, 1, counts[s], F.stt)
        r += 1
        ws.write_string(r, 0, "Tổng số người", F.group)
        ws.write_number(r, 1, len(a.entries), F.stt)
        r += 1
        ws.write_string(r, 0, "Cặp hồ sơ cùng một người", F.cell)
        ws.write_number(r, 1, len(a.pairs), F.stt)

        r += 2
        reasons = a.reason_counts()
        for c, text in enumerate(("Mã lý do", "Lý do", COUNT_HEADER)):
            ws.write_string(r, c, text, F.head)
        for code, rule in REASONS.items():
            r += 1
            ws.write_string(r, 0, code, F.cell)
            ws.write_string(r, 1, rule.short_vi, F.cell)
            ws.write_number(r, 2, reasons.get(code, 0), F.stt)

        r += 2
        head_row = r
        ws.merge_range(r, 0, r, 1, "Thôn/ấp", F.head)
        for c, text in enumerate((*(STATUS_LABEL_VI[s] for s in Status), "Tổng"), 2):
            ws.write_string(r, c, text, F.head)
        hamlets = a.by_hamlet()
        names = sorted(hamlets, key=hamlet_order)
        for name in names:
            r += 1
            n = hamlets[name]
            ws.merge_range(r, 0, r, 1, name, F.cell)
            for c, s in enumerate(Status, 2):
                ws.write_number(r, c, n[s], F.stt)
            ws.write_number(r, 5, sum(n.values()), F.stt)
        last = r
        if names:
            chart = self.wb.add_chart({"type": "bar", "subtype": "stacked"})
            colours = {Status.READY: "#70AD47", Status.BLOCKED: "#C00000",
                       Status.NO_DOSES: "#A5A5A5"}
            for c, s in enumerate(Status, 2):
                chart.add_series({
                    "name": [SUMMARY_SHEET, head_row, c],
                    "categories": [SUMMARY_SHEET, head_row + 1, 0, last, 0],
                    "values": [SUMMARY_SHEET, head_row + 1, c, last, c],
                    "fill": {"color": colours[s]},
                })
            chart.set_title({"name": CHART_TITLE})
            chart.set_y_axis({"reverse": True})
            chart.set_legend({"position": "bottom"})
            height = max(288, 60 + 22 * len(names))
            ws.insert_chart(last + 2, 0, chart, {"x_scale": 1.8, "y_scale": height / 288})
            last += 2 + int(height / 20) + 1
        ws.freeze_panes(HEADER_ROW - 1, 0)
        P.setup_print(ws, header_rows=(HEADER_ROW - 1, HEADER_ROW - 1), last_row=last,
                      first_col=0, last_col=5)


def _doses(numbers: Sequence[int]) -> str:
    return ", ".join(map(str, numbers))


__all__ = [
    "BLOCKED_SHEET", "FIRST_ROW", "HEADER_ROW", "PAIRS_SHEET", "READY_SHEET", "SCHEMA",
    "SHEETS", "SUMMARY_SHEET", "NotAPassportReport", "PassportRecord", "PassportReport",
    "read_passport_report", "write_passport_json", "write_passport_workbook",
]
