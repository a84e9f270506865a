"""A small, deterministic writer of Compound File Binary files ([MS-CFB] version 3).

vbaProject.bin is a compound file (the "OLE2" container): a 512-byte header, a FAT of
sector chains, a directory of 128-byte entries whose siblings form a red-black tree per
storage, and a mini stream (64-byte sectors, its own mini FAT) for streams under 4096
bytes. This writer lays out a whole file at once from ``{"path/in/file": bytes}``:

    [header][FAT sectors][directory][mini FAT][mini stream][large streams]

Why our own instead of a library: ``olefile`` reads, and can only overwrite streams of
the same size in an existing file; it cannot create one. ``ms-cfb`` (MIT) is a 0.0.x
pre-release by a single maintainer that pulls in two more packages of his (a red-black
tree and MS-DTYP types) and has quirks (it writes the root entry red once it has more
than two children). A write-once layout needs no allocator, no DIFAT (up to 109 FAT
sectors, about 7 MB, far more than a VBA project) and no in-place editing: about 150
lines of code, read back in the tests by olefile (every stream byte-equal, each sibling
tree checked against the red-black rules) and by LibreOffice's own compound-file reader.

Deterministic by construction: no timestamps (all zero, which the spec allows), CLSIDs
zero unless given, entries ordered by the CFB name order, no random padding.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
_IDS_PER_SECTOR = SECTOR // 4
_HEADER_DIFAT = 109

MAXREGSECT = 0xFFFFFFFA
FATSECT = 0xFFFFFFFD
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
NOSTREAM = 0xFFFFFFFF

_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_BAD_NAME_CHARS = set("/\\:!")


def cfb_name_key(name: str) -> tuple[int, str]:
    """Sort key of MS-CFB 2.6.4: shorter names first, then case-insensitive by code point."""
    return (len(name.encode("utf-16-le")) // 2, name.upper())


@dataclass(eq=False)
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _check_name(name: str, path: str) -> None:
    if not name or len(name.encode("utf-16-le")) // 2 > 31:
        raise ValueError(f"{path!r}: each name must be 1 to 31 UTF-16 units long")
    if _BAD_NAME_CHARS & set(name) or any(ord(c) < 0x20 for c in name):
        raise ValueError(f"{path!r}: names may not contain / \\ : ! or control characters")


def _build_tree(streams: Mapping[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", _ROOT)
    for path in sorted(streams, key=lambda p: [cfb_name_key(n) for n in p.split("/")]):
        parts = path.split("/")
        node = root
        for i, part in enumerate(parts):
            _check_name(part, path)
            key = part.upper()
            last = i == len(parts) - 1
            existing = node.children.get(key)
            if existing is None:
                existing = _Entry(part, _STREAM if last else _STORAGE)
                if last:
                    existing.data = bytes(streams[path])
                node.children[key] = existing
            elif existing.name != part or last or existing.kind != _STORAGE:
                raise ValueError(f"{path!r} clashes with another entry (names ignore case)")
            node = existing
    return root


def _flatten(root: _Entry) -> list[_Entry]:
    """Root first, then each storage's children in CFB order, depth first."""
    order: list[_Entry] = []

    def visit(entry: _Entry) -> None:
        entry.sid = len(order)
        order.append(entry)
        for child in sorted(entry.children.values(), key=lambda e: cfb_name_key(e.name)):
            visit(child)

    visit(root)
    return order


def _link_siblings(storage: _Entry) -> None:
    """Make the children of ``storage`` a valid red-black tree (spec 2.6.4).

    A tree built by repeated median split has every level full but the deepest; all
    nodes black except that incomplete deepest level, coloured red, satisfies every
    red-black rule (equal black height on all paths, no red node with a red child).
    """
    kids = sorted(storage.children.values(), key=lambda e: cfb_name_key(e.name))
    if not kids:
        return
    depth_of: dict[int, int] = {}

    def build(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = kids[mid]
        depth_of[id(node)] = depth
        node.left = build(lo, mid, depth + 1)
        node.right = build(mid + 1, hi, depth + 1)
        return node.sid

    storage.child = build(0, len(kids), 0)
    deepest = max(depth_of.values())
    perfect = len(kids) == 2 ** (deepest + 1) - 1
    for node in kids:
        node.color = _RED if not perfect and depth_of[id(node)] == deepest else _BLACK


def _sectors(n_bytes: int, size: int) -> int:
    return -(-n_bytes // size)


def _chain(table: list[int], first: int, count: int) -> None:
    for i in range(first, first + count - 1):
        table[i] = i + 1
    table[first + count - 1] = ENDOFCHAIN


def _pad(data: bytes | bytearray, size: int) -> bytes:
    return bytes(data) + b"\0" * (-len(data) % size)


def _dir_entry(entry: _Entry | None, root_clsid: bytes) -> bytes:
    if entry is None:  # unused slot
        return bytes(64) + struct.pack("<HBB3I", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM) + bytes(48)
    name = entry.name.encode("utf-16-le") + b"\0\0"
    clsid = root_clsid if entry.kind == _ROOT else bytes(16)
    return (
        name.ljust(64, b"\0")
        + struct.pack("<HBB3I", len(name), entry.kind, entry.color,
                      entry.left, entry.right, entry.child)
        + clsid
        + struct.pack("<I", 0)  # state bits
        + bytes(16)  # creation and modification times: zero, for reproducible output
        + struct.pack("<IQ", entry.start, entry.size)
    )


def build_cfb(streams: Mapping[str, bytes], *, root_clsid: bytes = bytes(16)) -> bytes:
    """Return a CFB v3 file holding ``streams`` (keys are '/'-separated paths).

    Storages are created from the path prefixes ("VBA/dir" makes storage "VBA"). Names
    compare case-insensitively, so "VBA/x" and "vba/y" clash (ValueError). The same
    input always gives the same bytes.
    """
    if len(root_clsid) != 16:
        raise ValueError("root_clsid must be 16 bytes")
    root = _build_tree(streams)
    entries = _flatten(root)
    for entry in entries:
        if entry.kind != _STREAM:
            _link_siblings(entry)
            entry.start = 0  # storages: zero (spec 2.6.3); the root gets the mini stream

    small = [e for e in entries if e.kind == _STREAM and 0 < len(e.data) < MINI_CUTOFF]
    large = [e for e in entries if e.kind == _STREAM and len(e.data) >= MINI_CUTOFF]

    mini_fat: list[int] = []
    mini_stream = bytearray()
    for e in small:
        count = _sectors(len(e.data), MINI_SECTOR)
        e.start, e.size = len(mini_fat), len(e.data)
        mini_fat.extend([FREESECT] * count)
        _chain(mini_fat, e.start, count)
        mini_stream += _pad(e.data, MINI_SECTOR)
    for e in large:
        e.size = len(e.data)

    n_dir = _sectors(len(entries) * 128, SECTOR)
    n_minifat = _sectors(len(mini_fat) * 4, SECTOR)
    n_ministream = _sectors(len(mini_stream), SECTOR)
    n_large = [_sectors(len(e.data), SECTOR) for e in large]
    n_other = n_dir + n_minifat + n_ministream + sum(n_large)
    n_fat = 1
    while n_fat * _IDS_PER_SECTOR < n_fat + n_other:
        n_fat += 1
    if n_fat > _HEADER_DIFAT:
        raise ValueError("compound file too large for this writer (no DIFAT sectors)")

    fat = [FREESECT] * (n_fat * _IDS_PER_SECTOR)
    for i in range(n_fat):
        fat[i] = FATSECT
    nxt = n_fat
    dir_start = nxt
    _chain(fat, dir_start, n_dir)
    nxt += n_dir
    minifat_start = nxt if n_minifat else ENDOFCHAIN
    if n_minifat:
        _chain(fat, nxt, n_minifat)
        nxt += n_minifat
    root.start = ENDOFCHAIN
    if n_ministream:
        root.start, root.size = nxt, len(mini_stream)
        _chain(fat, nxt, n_ministream)
        nxt += n_ministream
    for e, count in zip(large, n_large, strict=True):
        e.start = nxt
        _chain(fat, nxt, count)
        nxt += count

    difat = list(range(n_fat)) + [FREESECT] * (_HEADER_DIFAT - n_fat)
    header = (
        _SIGNATURE
        + bytes(16)
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<9I", 0, n_fat, dir_start, 0, MINI_CUTOFF,
                      minifat_start, n_minifat, ENDOFCHAIN, 0)
        + struct.pack(f"<{_HEADER_DIFAT}I", *difat)
    )
    assert len(header) == SECTOR

    slots: list[_Entry | None] = [*entries, *([None] * (n_dir * 4 - len(entries)))]
    body = [
        struct.pack(f"<{len(fat)}I", *fat),
        b"".join(_dir_entry(e, root_clsid) for e in slots),
        struct.pack(f"<{n_minifat * _IDS_PER_SECTOR}I",
                    *mini_fat, *[FREESECT] * (n_minifat * _IDS_PER_SECTOR - len(mini_fat))),
        _pad(mini_stream, SECTOR),
        *(_pad(e.data, SECTOR) for e in large),
    ]
    out = header + b"".join(body)
    assert len(out) == SECTOR * (1 + nxt)
    return out
