"""The hamlet file: one self-checking workbook per hamlet that split writes and merge reads back.

``layout`` holds the contract (sheet names, header texts, keys, the :class:`HamletFile`
record), ``writer`` writes it, ``reader`` reads what the hamlet sends back.
"""

from vaxclean_xl.formats.hamlet_file.layout import (
    CORR_HEADERS,
    DATA_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    ORIG_HEADERS,
    HamletFile,
    HamletMeta,
    HamletRow,
    file_stem,
    make_key,
    parse_key,
    split_id_for,
)
from vaxclean_xl.formats.hamlet_file.reader import (
    NotAHamletFile,
    ReturnedFile,
    ReturnedRow,
    is_signature,
    lone_name,
    read_returned,
)
from vaxclean_xl.formats.hamlet_file.writer import (
    CODES_HELPER,
    CORR_COL,
    NOTE_COL,
    ORIG_COL,
    PROBLEM_COL,
    STATUS_COL,
    sheet_columns,
    write_hamlet_file,
)

__all__ = [
    "CODES_HELPER", "CORR_COL", "CORR_HEADERS", "DATA_SHEET", "FIRST_ROW", "HEADER_ROW",
    "NOTE_COL", "ORIG_COL", "ORIG_HEADERS", "PROBLEM_COL", "STATUS_COL", "HamletFile",
    "HamletMeta", "HamletRow", "NotAHamletFile", "ReturnedFile", "ReturnedRow", "file_stem",
    "is_signature", "lone_name", "make_key", "parse_key", "read_returned", "sheet_columns",
    "split_id_for", "write_hamlet_file",
]
