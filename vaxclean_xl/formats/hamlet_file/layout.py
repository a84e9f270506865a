"""The hamlet file contract: sheet names, header texts, record keys, the manifest beside it.

Split writes it (``writer``), merge reads it back (``reader``), so both import these names
from here. Merge finds
columns by these header texts (never by position: people move and insert columns), and
records by the key; the key carries the split id so a file of another split is refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.core.model import FIELD_LABEL_VI
from vaxclean_xl.core.normalize import hamlet_key
from vaxclean_xl.formats.readback import KEY_HEADER, META_SHEET, STT_HEADER
from vaxclean_xl.formats.split_manifest import MANIFEST_NAME
from vaxclean_xl.formats.split_manifest import SCHEMA as SCHEMA_MANIFEST

SCHEMA_FILE = "vaxclean.hamlet/1"

DATA_SHEET = "Danh sách"
GUIDE_SHEET = "Hướng dẫn"
CODES_SHEET = "Mã lỗi"  # hidden: code -> message, looked up by the status formula
# META_SHEET (readback): very hidden, schema, split id, hamlet, source hash (key/value rows)

HEADER_ROW = 6  # 1-based Excel row of the column headers (title block above)
FIRST_ROW = 7  # first record row
NO_HAMLET_FILE = "Chua-ro-thon"

# the original values under the report contract's field labels (core.model.FIELD_LABEL_VI)
ORIG_HEADERS: dict[str, str] = {
    f: FIELD_LABEL_VI[f] for f in ("full_name", "dob", "sex", "id_number", "phone", "hamlet")}
CORR_HEADERS: dict[str, str] = {
    "full_name": "Họ và tên (sửa)",
    "dob": "Ngày sinh (sửa)",
    "sex": "Giới tính (sửa)",
    "id_number": "Số CCCD/CMND (sửa)",
}
NOTE_HEADER = "Ghi chú của thôn"
PROBLEM_HEADER = "Lỗi phát hiện"
STATUS_HEADER = "Kiểm tra"

# Visible columns in order (the hidden key first; hidden helper columns follow the status).
COLUMNS: tuple[str, ...] = (
    KEY_HEADER, STT_HEADER, *ORIG_HEADERS.values(), *CORR_HEADERS.values(), NOTE_HEADER,
    PROBLEM_HEADER, STATUS_HEADER,
)

# re-exported: the grouping rule, the meta sheet and the manifest beside the files are part
# of the contract
__all__ = ["MANIFEST_NAME", "META_SHEET", "SCHEMA_MANIFEST", "hamlet_key"]

_KEY_RE = re.compile(r"^([0-9a-f]{8})-([0-9]{1,7})-([0-9A-F]{4})$")


@dataclass(slots=True)
class HamletMeta:
    """The meta sheet of a hamlet file: which split, round and hamlet it belongs to."""

    split_id: str
    hamlet: str
    source_sha256: str
    file: str  # the file name split gave it (the file may have been renamed since)
    round_no: int = 1

    def to_dict(self) -> dict[str, str]:
        """The key/value rows of the meta sheet, in the order they are written."""
        return {"schema": SCHEMA_FILE, "split_id": self.split_id, "hamlet": self.hamlet,
                "source_sha256": self.source_sha256, "file": self.file,
                "round": str(self.round_no)}

    @classmethod
    def from_dict(cls, meta: dict[str, str]) -> HamletMeta | None:
        """The meta of a returned file (None when its meta sheet was lost)."""
        if not meta.get("schema", "").startswith("vaxclean.hamlet/"):
            return None
        round_no = meta.get("round", "")
        return cls(meta.get("split_id", ""), meta.get("hamlet", ""),
                   meta.get("source_sha256", ""), meta.get("file", ""),
                   int(round_no) if round_no.isdigit() else 1)


@dataclass(slots=True)
class HamletRow:
    """What one record shows in a hamlet file (all text, as the worker reads it)."""

    key: str
    source_row: int
    values: dict[str, str]  # field -> original text (ORIG_HEADERS fields)
    problems: str
    codes: list[str]  # in-sheet codes of the original values (cached formula result)


@dataclass(slots=True)
class HamletFile:
    """What a hamlet workbook holds as split writes it (``writer.write_hamlet_file``); a
    returned one is read as ``reader.ReturnedFile``, with the hamlet's corrections."""

    meta: HamletMeta
    rows: list[HamletRow] = field(default_factory=list)

    @property
    def hamlet(self) -> str:
        return self.meta.hamlet


ROUND_PREFIX = "lan-"  # round N > 1 of a split lives in '<folder>/lan-N/'
MAX_ROUNDS = 99  # rounds whose split ids merge derives when no manifest came back


def round_folders(folder: Path) -> dict[int, Path]:
    """The folders of the later rounds a split made in ``folder``: round N -> 'lan-N/'."""
    found: dict[int, Path] = {}
    for sub in folder.glob(f"{ROUND_PREFIX}*"):
        n = sub.name[len(ROUND_PREFIX):]
        if n.isdigit() and sub.is_dir():
            found[int(n)] = sub
    return dict(sorted(found.items()))


def split_id_for(source_sha256: str, all_records: bool, round_no: int = 1) -> str:
    """Deterministic id of one round of one split of one source file (same inputs, same id;
    round 1 keeps the id of splits made before rounds existed)."""
    seed = f"{source_sha256}:{int(all_records)}" + (f":{round_no}" if round_no > 1 else "")
    return hashlib.sha256(seed.encode()).hexdigest()[:8]


def make_key(split_id: str, row: int) -> str:
    """'<split>-<source row>-<check>': the check exposes a key damaged by hand."""
    return f"{split_id}-{row}-{_check(split_id, row)}"


def parse_key(text: object) -> tuple[str, int] | None:
    """(split id, source row) of an intact key, else None."""
    if not isinstance(text, str):
        return None
    m = _KEY_RE.match(text.strip())
    if not m:
        return None
    split_id, row = m.group(1), int(m.group(2))
    return (split_id, row) if m.group(3) == _check(split_id, row) else None


def _check(split_id: str, row: int) -> str:
    return hashlib.sha256(f"{split_id}:{row}".encode()).hexdigest()[:4].upper()


def file_stem(name: str) -> str:
    """ASCII-safe file name of a hamlet: 'Xóm Đông' -> 'Xom-Dong'."""
    from vaxclean_xl.core.normalize import fold

    if not name.strip():
        return NO_HAMLET_FILE
    words = re.sub(r"[^A-Za-z0-9]+", " ", fold(name).title()).split()
    return "-".join(words)[:60] or NO_HAMLET_FILE


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- print layout: wrapped text columns and the row heights that fit them -------------------
# Excel does not grow a row to fit wrapped text a generator wrote, so the writer sets each
# record row's height from its text, wrapped as a printer would at these widths.
PROBLEM_WIDTH = 45  # column width, characters
STATUS_WIDTH = 40
GUIDE_WIDTH = 110
LINE_PT = 15.0  # one line of 11 pt Times New Roman with Vietnamese diacritics
GUIDE_LINE_PT = 16.5  # one line of 12 pt
MIN_ROW_PT = 18.0


def wrapped_lines(text: str, width: int) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` characters
    wide (a little narrower, as proportional fonts run wider than the width unit)."""
    room = max(int(width * 0.9) - 1, 8)
    total = 0
    for para in text.split("\n"):
        lines, used = 1, 0
        for word in para.split():
            n = len(word)
            while n > room:  # a word longer than the line is broken anywhere
                lines += 1 if used else 0
                used, n = 0, n - room
                lines += 1
            need = n if used == 0 else used + 1 + n
            if need > room:
                lines, used = lines + 1, n
            else:
                used = need
        total += lines
    return max(total, 1)


def row_height(cells: list[tuple[str, int]], line_pt: float = LINE_PT) -> float:
    """Row height (points) fitting every (text, column width) of the row."""
    lines = max((wrapped_lines(t, w) for t, w in cells), default=1)
    return max(MIN_ROW_PT, round(lines * line_pt + 3, 2))
