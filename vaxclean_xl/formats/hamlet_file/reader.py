"""Read a hamlet file as it comes back from the hamlet (the other half of ``writer``).

Hamlet workers edit the file in Excel, WPS or LibreOffice and send back whatever those
programs save: .xlsx/.xlsm/.xls/.ods, renamed, the sheet renamed, columns moved, inserted or
unhidden, rows sorted or deleted, people typed under the list. Nothing positional survives,
so this reader relies only on what the contract (``layout``) makes recognisable, found
by the one read-back routine of our workbooks (``formats.readback``):

* the meta sheet: any sheet whose column A/B rows start with ``schema`` =
  ``vaxclean.hamlet/…`` (hidden or not, whatever it is called now);
* the data sheet: the sheet whose header row (within the first 30 rows) holds at least one
  correction header plus an original or key header; columns are found by header TEXT,
  NFC, case- and space-insensitive, the first copy of a header winning;
* the rows: every non-blank row under that header, cells kept as the library gives them
  (str, float, int, date…) so the merge normalises them itself.

A file that cannot be read or is not a hamlet file raises :class:`NotAHamletFile` with one
Vietnamese line (file names only, never cell values).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from vaxclean_xl.core.normalize import cell_text
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.readback import Layout, Role, blank, read_back, role_table
from vaxclean_xl.io.reader import is_signature_text

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class NotAHamletFile(InputError):  # noqa: N818 - a user-facing refusal, like InputError
    """This returned file cannot be used; ``message`` says why in Vietnamese."""

    code = E.NOT_A_HAMLET_FILE


def _is_header(kinds: set[str]) -> bool:
    """A correction column plus an original-value or key column: our header row."""
    return "corr" in kinds and bool(kinds & {"orig", "key"})


READ_LAYOUT = Layout(
    schema_prefix="vaxclean.hamlet/",
    roles=role_table({
        L.KEY_HEADER: ("key", None),
        L.STT_HEADER: ("stt", None),
        L.NOTE_HEADER: ("note", None),
        L.PROBLEM_HEADER: ("problem", None),
        L.STATUS_HEADER: ("status", None),
        **{h: ("orig", f) for f, h in L.ORIG_HEADERS.items()},
        **{h: ("corr", f) for f, h in L.CORR_HEADERS.items()},
    }),
    accept=_is_header,
)


@dataclass(slots=True)
class ReturnedRow:
    """One non-blank row of a returned data sheet (raw cells by field)."""

    file_row: int  # Excel row number in the returned file
    key_text: str  # the key cell as text ("" when empty or no key column)
    key: tuple[str, int] | None  # (split id, source row) of an intact key
    orig: dict[str, object]  # field -> cell of the original-value columns present
    corr: dict[str, object]  # field -> cell of the correction columns present
    note: str  # "Ghi chú của thôn"
    extra: dict[str, str]  # header -> text, for columns the hamlet added


@dataclass(slots=True)
class ReturnedFile:
    """A returned hamlet file as read: where its data was found and its rows."""

    path: Path
    sha256: str
    meta: dict[str, str]  # the meta sheet's key/value rows ({} when it was lost)
    sheet: str  # name of the data sheet (it may have been renamed)
    header_row: int
    has_orig: frozenset[str]  # fields whose original-value column is present
    rows: list[ReturnedRow]

    @property
    def split_id(self) -> str | None:
        """The split the file says it belongs to: meta sheet, else most of its keys."""
        if self.meta.get("split_id"):
            return self.meta["split_id"]
        keys = Counter(r.key[0] for r in self.rows if r.key)
        return min(keys, key=lambda k: (-keys[k], k)) if keys else None


def read_returned(path: str | Path, password: str | None = None,
                  tmpdir: str | Path | None = None) -> ReturnedFile:
    """Read one returned hamlet file; :class:`NotAHamletFile` when it cannot be used.

    ``password`` opens files split with ``--password``; the decrypted copy goes to
    ``tmpdir`` (required then), never beside the user's file.
    """
    path = Path(path)
    if not path.is_file():
        raise NotAHamletFile("Không tìm thấy tệp.")
    sha = L.sha256_file(path)
    src = _decrypt(path, password, Path(tmpdir) if tmpdir else None)
    found = read_back(src, READ_LAYOUT, NotAHamletFile)
    if found is None:
        raise NotAHamletFile("Không phải tệp rà soát của thôn do vaxclean tạo "
                             "(không thấy các cột «(sửa)»).")
    roles = found.roles
    return ReturnedFile(path=path, sha256=sha, meta=found.meta, sheet=found.sheet,
                        header_row=found.header_row,
                        has_orig=frozenset(f for k, f in roles.values() if k == "orig" and f),
                        rows=_rows(found.rows, found.header_row, roles))


def _rows(sheet_rows: list[tuple[int, list]], header_row: int,
          roles: dict[int, Role]) -> list[ReturnedRow]:
    # Written for speed (a commune's 200,000 returned rows): column positions resolved once,
    # rows padded once, a keyed row kept without looking at its other cells.
    key_col = next((c for c, (k, _f) in roles.items() if k == "key"), None)
    orig = [(f, c) for c, (k, f) in roles.items() if k == "orig" and f]
    corr = [(f, c) for c, (k, f) in roles.items() if k == "corr" and f]
    note_col = next((c for c, (k, _f) in roles.items() if k == "note"), None)
    header_values = dict(sheet_rows)[header_row]
    # Columns the hamlet added (their remarks are kept); '_name' helpers are ours.
    extra_cols = [(c, cell_text(v)) for c, v in enumerate(header_values)
                  if c not in roles and not blank(v) and not cell_text(v).startswith("_")]
    cols = [c for c in (key_col, note_col) if c is not None]
    cols += [c for _f, c in orig] + [c for _f, c in corr] + [c for c, _h in extra_cols]
    width = max(cols, default=-1) + 1
    pad = [None] * width
    out: list[ReturnedRow] = []
    append = out.append
    for n, values in sheet_rows:
        if n <= header_row:
            continue
        if len(values) < width:
            values = values + pad[len(values):]
        key_text = cell_text(values[key_col]) if key_col is not None else ""
        note_text = cell_text(values[note_col]) if note_col is not None else ""
        extra = ({h: cell_text(values[c]) for c, h in extra_cols if not blank(values[c])}
                 if extra_cols else {})
        o = {f: values[c] for f, c in orig}
        k = {f: values[c] for f, c in corr}
        if (key_text or note_text or extra
                or any(not blank(v) for v in o.values())
                or any(not blank(v) for v in k.values())):
            append(ReturnedRow(n, key_text, L.parse_key(key_text) if key_text else None,
                               o, k, note_text, extra))
    return out


def _lone_cell(row: ReturnedRow) -> tuple[str | None, object] | None:
    """(field, value) of the one cell typed in a row without key or note (field None: a
    column the merge does not know, as when the hamlet renamed its header); None when the
    row holds anything else."""
    if row.key_text or row.note:
        return None
    typed = [(f, v) for f, v in (*row.orig.items(), *row.corr.items(),
                                 *((None, v) for v in row.extra.values())) if not blank(v)]
    return typed[0] if len(typed) == 1 else None


def lone_name(row: ReturnedRow) -> bool:
    """Only a name typed, no key, nothing else: a signer's line, not a person (the name
    may sit in a column whose header the hamlet renamed)."""
    cell = _lone_cell(row)
    return cell is not None and cell[0] in ("full_name", None)


def is_signature(row: ReturnedRow) -> bool:
    """The hamlet file's own signature block ('NGƯỜI RÀ SOÁT', '(Ký, ghi rõ họ tên)'): a
    row whose one typed cell, in any column, is such a title (the list reader's titles: one
    list of them)."""
    cell = _lone_cell(row)
    return cell is not None and is_signature_text(cell_text(cell[1]))


def _decrypt(path: Path, password: str | None, tmpdir: Path | None) -> Path:
    """A decrypted temp copy of a password-protected file (split --password), else path."""
    with path.open("rb") as fh:
        if fh.read(8) != _OLE_MAGIC:
            return path
    import msoffcrypto

    try:
        with path.open("rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            encrypted = office.is_encrypted()
    except Exception:  # not an Office container msoffcrypto knows: let calamine try
        return path
    if not encrypted:
        return path
    if not password:
        raise NotAHamletFile("Tệp được đặt mật khẩu; chạy lại với --password.")
    if tmpdir is None:
        raise ValueError("tmpdir is required to decrypt a returned file")
    fd, name = tempfile.mkstemp(prefix="dec-", suffix=path.suffix or ".xlsx", dir=tmpdir)
    os.close(fd)  # (a unique name: files are read on several threads)
    out = Path(name)
    try:
        with path.open("rb") as fh, out.open("wb") as fo:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=password)
            office.decrypt(fo)
    except Exception as exc:
        raise NotAHamletFile("Không mở được tệp có mật khẩu (sai mật khẩu?).") from exc
    return out

