"""Read a vaccination list (.xlsx, .xlsm, .xls, .ods, .csv) into a :class:`Table` of raw rows.

Why this package exists: the lists are hand-made by commune health stations, so the
records rarely start in A1. Above them sit title blocks ("SỞ Y TẾ…", "CỘNG HÒA XÃ HỘI CHỦ
NGHĨA VIỆT NAM", "DANH SÁCH…"), sometimes a two-row merged header (the platform template),
a column-numbering row "(1) (2) (3)…"; below them a "Tổng cộng" row and a signature block
whose signer names must not be taken for people. No reader library knows these layouts, so
the header search and the end-of-list rules are hand-written.

One concept per module: ``sniff`` (what the file really is), ``sources`` (rows of a sheet
per format), ``headers`` (header cells, header row, ``--map``), ``end`` (the records up to
the "Tổng cộng" row or the signature block), ``fonts`` (legacy fonts of the name cells),
``columns`` (column letters), ``doses`` (the dose columns by header text, and the rows of
one person in a one-row-per-dose list) and ``table`` (the :class:`Table` type and the entry
points).

Design choices:

* python-calamine (Rust) reads every spreadsheet format fast and with little memory; the
  csv module reads csv. Cell values are kept as the library gives them (str, float, int,
  bool, date/datetime/time/timedelta; csv cells are str), strings NFC-normalised, so that
  the normaliser sees exactly what the user typed.
* ``Table.rows`` holds the *full* row of each record (index = 0-based column), so writers can
  copy untouched columns back; row numbers are real Excel row numbers, used in messages.
* One pass over ``iter_rows()``: the first rows are buffered for the header search, then the
  same iterator is consumed for the records and abandoned at the end of the list.
* Errors are :class:`InputError` with a stable code and a Vietnamese line, never a traceback
  and never cell content (only file/sheet names and column letters).

Error codes: E101 missing file, E102 unsupported format, E103 corrupt/unreadable,
E104 password-protected, E105 empty, E106 no header, E107 sheet not found, E108 bad mapping.
"""

from vaxclean_xl.io.reader.columns import column_index, column_letter
from vaxclean_xl.io.reader.end import is_signature_text
from vaxclean_xl.io.reader.fonts import legacy_font
from vaxclean_xl.io.reader.headers import (
    HEADER_SCAN_ROWS,
    REQUIRED_WITH_NAME,
    SYNONYMS,
    fold,
    has_required,
    is_numbering_token,
    map_columns,
    match_header,
    normalize_header,
)
from vaxclean_xl.io.reader.sniff import SUPPORTED_SUFFIXES
from vaxclean_xl.io.reader.table import (
    Table,
    iter_sheet_rows,
    read_sheets,
    read_table,
    sheet_names,
    table_from_rows,
)

__all__ = [
    "HEADER_SCAN_ROWS",
    "REQUIRED_WITH_NAME",
    "SUPPORTED_SUFFIXES",
    "SYNONYMS",
    "Table",
    "column_index",
    "column_letter",
    "fold",
    "has_required",
    "is_numbering_token",
    "is_signature_text",
    "iter_sheet_rows",
    "legacy_font",
    "map_columns",
    "match_header",
    "normalize_header",
    "read_sheets",
    "read_table",
    "sheet_names",
    "table_from_rows",
]
