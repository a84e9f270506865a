"""User-facing errors: a stable code plus one clear Vietnamese line.

Raised at the edges (readers, writers, CLI) when the input cannot be processed. The CLI
prints ``message`` and exits with ``exit_code``; never put personal data in a message
(row numbers only).
"""

from __future__ import annotations


class VaxcleanError(Exception):
    """A problem the user can act on; ``message`` is Vietnamese and shown as is."""

    code = "E000"
    exit_code = 2

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class InputError(VaxcleanError):
    """The input file cannot be read as a list (missing, corrupt, encrypted, no header)."""

    code = "E100"


class OutputError(VaxcleanError):
    """An output cannot be written (e.g. it would overwrite the input)."""

    code = "E200"
