"""Where a list ends, and the record rows before it.

Under the records sit a "Tổng cộng" row (often with counts under the date or ID column)
and a signature block ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)", "…, ngày … tháng … năm …")
whose signer names must not be taken for people. :func:`read_records` is the one pass
over the rows after the header: it is the hot loop of every read, so the end-of-list tests
are cheap pre-checks inlined in it, not layers of calls.
"""

from __future__ import annotations

import itertools
import re

from vaxclean_xl.io.reader.headers import Header, Scan, fold, is_numbering_row
from vaxclean_xl.io.reader.sources import NFC, blank

_TOTAL = re.compile(
    r"^(tong cong|tong so)\b"
    r"|^(tong|cong)\s*([:.\-]|\d|$|(co|so|danh sach|toan|cac|nguoi|doi tuong)\b)"
)
_SIGNATURE = re.compile(
    r"^(nguoi lap|can bo lap|nguoi tong hop|can bo tong hop|truong tram|tram truong|"
    r"pho truong tram|truong tyt|giam doc|pho giam doc|thu truong|lanh dao|xac nhan|"
    r"nguoi duyet|nguoi kiem tra|ke toan|chu tich|t/m\b|tm\.|kt\.|nguoi ra soat|"
    r"truong (thon|xom|ap|ban|to|khu)\b|(thon|xom|ap|ban|to|khu) truong\b)"
    r"|\bky,? (va )?ghi ro ho (va )?ten\b|\(ky\b|^ky ten\b|\bky ten\b.*\bdong dau\b"
    r"|\bngay\s*[\d.…_/ ]*\s*thang\s*[\d.…_/ ]*\s*nam\b(?! (sinh|tiem))"
)
_SIGNATURE_MAX_CELLS = 3  # a row with one title holds a few cells, not a person's data


def is_signature_text(value: object) -> bool:
    """A signature block's title ("NGƯỜI LẬP BIỂU", "TRƯỞNG TRẠM", "XÁC NHẬN"…), its
    "(Ký, ghi rõ họ tên)" line or its "…, ngày … tháng … năm …" line."""
    return value.__class__ is str and len(value) <= 120 and bool(  # type: ignore[arg-type]
        _SIGNATURE.search(fold(value)))  # type: ignore[arg-type]


def _signature_row(row: list, name_rel: int | None, data_rels: tuple[int, ...]) -> bool:
    """Does ``row`` start the signers' block under the list (so the names under it are not
    people)?

    A title may fall in any column, the ID and date columns included (merged cells, wide
    titles). A real record is never one: a name that is not a title, or a date of birth,
    an ID number or a sex that is not a title, keeps the row a record. With one title the
    row holds at most three cells (a person's job "Kế toán" beside other data must not end
    the list), unless the title is in the name column; two titles or more always end it.
    """
    titles = others = 0
    name_title = False
    for rel, value in enumerate(row):
        if blank(value):
            continue
        if is_signature_text(value):
            titles += 1
            name_title = name_title or rel == name_rel
        elif rel == name_rel or rel in data_rels:
            return False
        else:
            others += 1
    return titles > 0 and (name_title or titles >= 2 or titles + others <= _SIGNATURE_MAX_CELLS)


def _textual_key(row: list, rels: tuple[int, ...]) -> bool:
    """Cheap pre-test for a keyed row: its ID and date cells hold no number, date or text
    starting with a digit (every real ID and most dates), so it may be a signature row."""
    for r in rels:
        v = row[r]
        if v is None or v == "":
            continue
        if v.__class__ is not str:
            return False
        v = v.lstrip()
        if v and v[0].isdigit():
            return False
    return True


def _total_row(row: list) -> bool:
    """The first non-empty cell reads "Tổng cộng", "Tổng số", "Tổng: 12", "Cộng"…; cheap
    for the usual row, which starts with its number (STT)."""
    for v in row:
        if v.__class__ is not str:
            if v is None:
                continue
            return False
        v = v.lstrip()
        if v:
            return v[0] in "TtCc" and bool(_TOTAL.match(fold(v)))
    return False


def read_records(
    scan: Scan, header: Header, columns: dict[str, int], continued: tuple[int, ...] = ()
) -> tuple[int, list[tuple[int, list]]]:
    """Return (row after header/numbering, record rows) consuming the source once.

    ``continued``: the dose columns of a one-row-per-dose list; a row right under a record
    with its person's cells empty (merged down over the person's doses) but a dose cell
    filled is kept: it continues that person.
    """
    src, window = scan.src, scan.window
    pos = header.pos + 1
    if pos < len(window) and all(blank(v) for v in window[pos][1]):
        pos += 1
    start_pos = header.pos + 1
    if pos < len(window) and is_numbering_row(window[pos][1], src, columns):
        start_pos = pos + 1
    data_start = window[header.pos][0] + (start_pos - header.pos)

    def rel(fld: str) -> int | None:
        col = columns.get(fld)
        if col is None:
            return None
        r = col - src.col_off
        return r if 0 <= r < src.width else None

    ni, ii, di = rel("full_name"), rel("id_number"), rel("dob")
    keys = tuple(r for r in (ii, di) if r is not None)
    data = tuple(r for f in ("dob", "sex", "id_number") if (r := rel(f)) is not None)
    mapped = [r for f in columns if (r := rel(f)) is not None]
    others = [r for r in mapped if r != ni]
    cont = [r for c in continued if 0 <= (r := c - src.col_off) < src.width]
    name_header = None
    if ni is not None:
        raw_name = window[header.pos][1][ni]
        name_header = raw_name if not blank(raw_name) else header.texts.get(columns["full_name"])
    pad = [""] * src.col_off if src.col_off else None
    nfc, nfc_done = NFC, src.nfc_done

    records: list[tuple[int, list]] = []
    append = records.append
    blank_run = 0
    for number, row in itertools.chain(window[start_pos:], src.rows):
        keyed = (ii is not None and not blank(row[ii])) or (
            di is not None and not blank(row[di])
        )
        if not keyed:
            named = ni is not None and not blank(row[ni])
            if _total_row(row) or _signature_row(row, ni, data):
                break
            if not named and not (
                cont and records and records[-1][0] == number - 1
                and not all(blank(row[r]) for r in cont)  # the person's next dose
            ):
                blank_run = blank_run + 1 if all(blank(row[r]) for r in mapped) else 0
                continue
            if blank_run >= 2 and all(blank(row[r]) for r in others):
                break  # a lone name after a gap: a signer, not a person
        elif name_header is not None and row[ni] == name_header:
            continue  # header repeated on a new printed page
        elif _total_row(row):
            break  # "Tổng cộng" with a count under the date or ID column
        elif _textual_key(row, keys) and _signature_row(row, ni, data):
            break  # a title or the date line in the ID or date column
        blank_run = 0
        if not nfc_done:
            row = [nfc(v) if v.__class__ is str and not v.isascii() else v for v in row]
        append((number, pad + row if pad else row))
    return data_start, records
