"""Notices to the user that do not stop a command (a settings code typed as a number, a
second sheet that also holds a list).

Why one place: the readers of settings and lists sit under every command, and each
command prints its own warnings; a notice raised deep down reaches the user the same way
from all of them: one "Lưu ý: …" line on stderr, as the commands print theirs. Callers that
show notices elsewhere (the Excel buttons, tests) gather them with :func:`collect`.
Like every message, a notice names files, sheets, rows and setting keys, never a person.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_bucket: ContextVar[list[str] | None] = ContextVar("vaxclean_notices", default=None)


def notify(text: str) -> None:
    """Tell the user ``text`` (Vietnamese): into the innermost :func:`collect` list, else
    one "Lưu ý: …" line on stderr (nothing when there is no stderr, as under pythonw)."""
    bucket = _bucket.get()
    if bucket is not None:
        bucket.append(text)
    elif sys.stderr is not None:
        print(f"Lưu ý: {text}", file=sys.stderr)


@contextmanager
def collect() -> Iterator[list[str]]:
    """Gather the notices raised inside the block into the yielded list instead."""
    bucket: list[str] = []
    token = _bucket.set(bucket)
    try:
        yield bucket
    finally:
        _bucket.reset(token)
