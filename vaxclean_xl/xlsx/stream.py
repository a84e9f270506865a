"""Worksheet XML as a stream: read in blocks, cut at row boundaries, written in chunks.

Why: a list may hold a million rows; its sheet XML is hundreds of megabytes. Editors
never hold it whole nor build a DOM of it: they read the head (through ``<sheetData>``),
then rows, then the tail, with regular expressions over bytes. New parts too large for
one string are produced in chunks (:class:`Streamed`). zlib inflates and deflates
without the GIL, so the big sheet is read ahead (:class:`Prefetch`) and written behind
(:class:`WriteBehind`) on helper threads while the caller edits rows.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
from collections.abc import Callable, Iterator
from typing import IO

from vaxclean_xl.xlsx.ooxml import WorkbookPackageError, attr_b, find_root

CHUNK = 1 << 22  # 4 MiB blocks of worksheet XML
COPY_BLOCK = 1 << 20  # blocks of a zip member copied or written as it is

_SHEET_DATA_RE = re.compile(rb"<(?:[\w.-]+:)?sheetData\b[^>]*?(/?)>")
_SHEET_DATA_END_RE = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")

BrokenSheet = Callable[[str], Exception]  # what is wrong (Vietnamese) -> the error to raise


def broken_workbook(what: str) -> Exception:
    """The error for a damaged sheet of the user's workbook."""
    return WorkbookPackageError(f"Tệp Excel bị hỏng: {what}")


NO_SHEET_DATA = "trang tính không có <sheetData>."
TRUNCATED = "trang tính bị cắt ngang."


def read_head(stream: IO[bytes], *, chunk: int = CHUNK,
              broken: BrokenSheet = broken_workbook) -> tuple[bytes, bool, bytes]:
    """(XML up to and including the <sheetData> start tag, self-closing?, bytes read after)."""
    buf = b""
    searched = 0
    while True:
        m = _SHEET_DATA_RE.search(buf, max(0, buf.rfind(b"<", 0, searched)))
        if m:
            return buf[: m.end()], bool(m.group(1)), buf[m.end() :]
        searched = len(buf)
        block = stream.read(chunk)
        if not block:
            raise broken(NO_SHEET_DATA)
        buf += block


def read_tail(stream: IO[bytes], rest: bytes, self_closing: bool, *,
              broken: BrokenSheet = broken_workbook) -> bytes:
    """Everything after ``</sheetData>``, reading (and dropping) the rows before it."""
    if self_closing:
        return rest + stream.read()
    buf = rest
    while True:
        m = _SHEET_DATA_END_RE.search(buf)
        if m:
            return buf[m.end() :] + stream.read()
        buf = buf[-64:]
        block = stream.read(CHUNK)
        if not block:
            raise broken(TRUNCATED)
        buf += block


def sheet_prefix(head: bytes) -> bytes:
    """The namespace prefix of a worksheet's elements (b"" or e.g. b"x:") from its head."""
    found = find_root(head.decode("utf-8", "surrogateescape"))
    return (found.group(1) or "").encode("utf-8", "surrogateescape") if found else b""


class SheetRows:
    """A worksheet XML stream cut into head (through ``<sheetData>``), rows, and tail.

    Rows are matched one at a time, so memory stays bounded by the largest row, whatever
    the sheet's size.
    """

    def __init__(self, stream: IO[bytes], *, chunk: int = COPY_BLOCK,
                 broken: BrokenSheet = broken_workbook) -> None:
        self.stream = stream
        self.chunk = chunk
        self.broken = broken
        self.head, self.self_closing, self.buf = read_head(stream, chunk=chunk, broken=broken)
        self.prefix = sheet_prefix(self.head)
        p = re.escape(self.prefix)
        self.row_re = re.compile(rb"\s*<" + p + rb"row\b([^>]*?)(?:/>|>(.*?)</" + p + rb"row\s*>)",
                                 re.S)
        self.end_re = re.compile(rb"\s*</" + p + rb"sheetData\s*>")
        self.tail = b""

    def rows(self) -> Iterator[tuple[int, bytes, bytes, bytes]]:
        """(row number, attributes, inner XML, whole element) of each row, in order; the
        tail is read once the rows are done."""
        if self.self_closing:
            self.tail = self.buf + self.stream.read()
            return
        prev = 0
        pos = 0
        while True:
            m = self.row_re.match(self.buf, pos)
            if m:
                r = attr_b(m.group(1), b"r")
                prev = int(r) if r else prev + 1
                pos = m.end()
                yield prev, m.group(1), m.group(2) or b"", m.group(0)
                continue
            e = self.end_re.match(self.buf, pos)
            if e:
                self.tail = self.buf[e.end():] + self.stream.read()
                return
            block = self.stream.read(self.chunk)
            if not block:
                raise self.broken(TRUNCATED)
            self.buf = self.buf[pos:] + block
            pos = 0


class Streamed:
    """A new part's text produced in chunks at write time (see ``package.write_text``)."""

    def __init__(self, chunks: Callable[[], Iterator[str]]) -> None:
        self.chunks = chunks

    def __str__(self) -> str:  # small parts and tests may still want the whole text
        return "".join(self.chunks())


class Prefetch:
    """A reader of ``src`` whose next CHUNK blocks are read on a helper thread."""

    def __init__(self, src: IO[bytes], depth: int = 4) -> None:
        self._src = src
        self._q: queue.Queue[bytes | BaseException] = queue.Queue(depth)
        self._stop = threading.Event()
        self._buf = b""
        self._eof = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                block = self._src.read(CHUNK)
                self._q.put(block)
                if not block:
                    return
        except BaseException as exc:  # handed to the reading thread
            self._q.put(exc)

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all that is left when ``n`` < 0), like ``IO.read``."""
        while not self._eof and (n < 0 or len(self._buf) < n):
            block = self._q.get()
            if isinstance(block, BaseException):
                raise block
            if not block:
                self._eof = True
                break
            self._buf += block
        if n < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        while self._thread.is_alive():  # unblock a put() on a full queue
            with contextlib.suppress(Exception):
                self._q.get_nowait()
            self._thread.join(0.01)


class WriteBehind:
    """``write`` called on a helper thread, in order; its error re-raised here."""

    def __init__(self, write: Callable[[bytes], object], depth: int = 4) -> None:
        self._write = write
        self._q: queue.Queue[bytes | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (block := self._q.get()) is not None:
            if self._error is None:
                try:
                    self._write(block)
                except BaseException as exc:
                    self._error = exc

    def write(self, block: bytes) -> None:
        """Queue ``block`` (an earlier write's error is raised here)."""
        if self._error is not None:
            raise self._error
        if block:
            self._q.put(block)

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._q.put(None)
        self._thread.join()
        if self._error is not None and exc_type is None:
            raise self._error
