"""Read back a workbook we wrote: the one routine behind the hamlet-file and police-list readers.

What we send out comes back edited in Excel, WPS or LibreOffice: re-saved as
.xlsx/.xlsm/.xls/.ods, renamed, its sheets renamed, columns moved, inserted or unhidden.
Nothing positional survives, so a returned workbook is recognised only by

* its meta sheet: any sheet whose column A/B rows start with ``schema`` = the format's
  schema (hidden or not, whatever it is called now); written by :func:`write_meta_sheet`,
  so both sides of the contract are here;
* its header row: within the first :data:`HEADER_SCAN_ROWS` rows of a sheet, the row whose
  header texts (NFC, case and spaces ignored) give the roles the format requires; the row
  with most roles wins, the first copy of a header counts.

Each format (``hamlet_file``, ``police_list``) describes itself with a :class:`Layout` and
reads its own rows from the :class:`ReadBack` this returns.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaxclean_xl.core.normalize import cell_text
from vaxclean_xl.errors import InputError, VaxcleanError

META_SHEET = "vaxclean"  # very hidden: schema, ids, source hash (key/value rows)
HEADER_SCAN_ROWS = 30
META_SCAN_ROWS = 50

Role = tuple[str, str | None]  # (kind, field): ("corr", "dob"), ("key", None) …
SheetRows = list[tuple[int, list]]  # (Excel row, cell values) as read_sheets gives them


def header_key(value: object) -> str:
    """Header text key: NFC, case- and space-insensitive ('Họ và tên (sửa)' = 'HỌ VÀ
    TÊN(SỬA)'), so a header retyped, wrapped on two lines or re-saved is still found."""
    return "".join(unicodedata.normalize("NFC", cell_text(value)).casefold().split())


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def write_meta_sheet(ws: Any, meta: dict[str, str]) -> None:
    """Fill the very hidden key/value sheet that lets a returned file be recognised
    (hamlet files and police lists alike) and protect it."""
    for i, (k, v) in enumerate(meta.items()):
        ws.write_string(i, 0, k)
        ws.write_string(i, 1, v)
    ws.very_hidden()
    ws.protect()


@dataclass(frozen=True, slots=True)
class Layout:
    """How a format's returned workbook is recognised."""

    schema_prefix: str  # of the meta sheet's 'schema' ("vaxclean.hamlet/")
    roles: dict[str, Role]  # header_key(header text) -> role
    accept: Callable[[set[str]], bool]  # kinds of roles found in a row: is it our header?
    merged_headers: bool = False  # a header merged down two rows: a blank cell takes the
    # text of the cell above


def role_table(headers: dict[str, Role]) -> dict[str, Role]:
    """Header text -> role, keyed by :func:`header_key`."""
    return {header_key(h): role for h, role in headers.items()}


@dataclass(slots=True)
class ReadBack:
    """Where a returned workbook keeps its data."""

    meta: dict[str, str]  # the meta sheet's key/value rows ({} when it was lost)
    sheet: str  # the data sheet's name (it may have been renamed)
    header_row: int  # Excel row of the header row found
    roles: dict[int, Role]  # 0-based column -> role
    rows: SheetRows  # every row of the data sheet


def read_back(src: Path, layout: Layout, refusal: type[InputError],
              where: str = "") -> ReadBack | None:
    """Find the meta sheet and the data sheet of ``src``; None when no sheet has the
    format's header. A file that cannot be read raises ``refusal`` with one Vietnamese
    line ('Không đọc được tệp{where}…'; ``where`` names the file or is empty)."""
    from vaxclean_xl.io.reader import read_sheets

    try:
        sheets = read_sheets(src)
    except VaxcleanError as exc:
        raise refusal(f"Không đọc được tệp{where}: {exc.message}") from exc
    except Exception as exc:  # calamine's own errors (and its pyo3 panics)
        raise refusal(f"Không đọc được tệp{where} (hỏng hoặc không phải bảng tính).") from exc
    meta: dict[str, str] = {}
    best: tuple[int, str, int, dict[int, Role]] | None = None
    for name, rows in sheets.items():
        found = read_meta(rows, layout.schema_prefix)
        if found:
            meta = meta or found
            continue
        head = rows[:HEADER_SCAN_ROWS]
        for i, (n, values) in enumerate(head):
            above = (head[i - 1][1] if layout.merged_headers and i and head[i - 1][0] == n - 1
                     else [])
            roles = header_roles(values, layout.roles, above)
            if not layout.accept({kind for kind, _f in roles.values()}):
                continue
            if best is None or len(roles) > best[0]:
                best = (len(roles), name, n, roles)
    if best is None:
        return None
    _n, sheet, header_row, roles = best
    return ReadBack(meta, sheet, header_row, roles, sheets[sheet])


def read_meta(rows: SheetRows, schema_prefix: str) -> dict[str, str] | None:
    """The key/value rows of a meta sheet whose schema starts with ``schema_prefix``."""
    meta: dict[str, str] = {}
    for _n, values in rows[:META_SCAN_ROWS]:
        if len(values) >= 2 and not blank(values[0]):
            meta[cell_text(values[0])] = cell_text(values[1])
    return meta if meta.get("schema", "").startswith(schema_prefix) else None


def header_roles(values: Sequence[object], roles: dict[str, Role],
                 above: Sequence[object] = ()) -> dict[int, Role]:
    """Roles of a header row; a column blank here takes the header ``above`` it (a header
    merged down over two header rows keeps its text in the upper cell only)."""
    found: dict[int, Role] = {}
    seen: set[Role] = set()
    for c in range(max(len(values), len(above))):
        v = values[c] if c < len(values) else None
        if blank(v):
            v = above[c] if c < len(above) else None
        role = None if blank(v) else roles.get(header_key(v))
        if role and role not in seen:  # a copied column: the first one counts
            found[c] = role
            seen.add(role)
    return found


def positive_int(value: object) -> int | None:
    """A row number or count read back from a file we wrote (JSON or cell), else None:
    damaged or hand-edited values are skipped, never raised on."""
    try:
        n = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None


# The first two columns of every workbook we write to be read back (hamlet files, police
# lists): the hidden record key and the row number.
KEY_HEADER = "Mã bản ghi"
STT_HEADER = "STT"
