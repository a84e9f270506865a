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


def os_error_cause(exc: OSError, *, existing: bool = False,
                   writing: bool = True) -> tuple[str, str]:
    """The likely cause of a failed file operation in Vietnamese, and its error code.

    ``existing`` says the operation replaced a file already there, where a permission
    error on Windows almost always means the file is open in Excel; ``writing`` False
    (an error that escaped from anywhere) keeps both readings open.
    """
    import errno

    num = exc.errno
    winerror = getattr(exc, "winerror", None)
    if isinstance(exc, IsADirectoryError) or num == errno.EISDIR:
        return "đường dẫn này là một thư mục, không phải tệp", "E203"
    if isinstance(exc, NotADirectoryError) or num == errno.ENOTDIR:
        return "một phần của đường dẫn là tệp, không phải thư mục", "E202"
    if num in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return "ổ đĩa đầy (hoặc hết dung lượng được cấp); hãy giải phóng chỗ trống", "E206"
    if num == errno.EROFS:
        return "thư mục chỉ đọc hoặc không có quyền ghi", "E202"
    if winerror in (32, 33) or (existing and isinstance(exc, PermissionError)):
        return "tệp đang mở trong Excel? Hãy đóng tệp rồi chạy lại", "E205"
    if isinstance(exc, PermissionError):
        if not writing:
            return ("không có quyền truy cập (tệp đang mở trong Excel, hoặc thư mục chỉ "
                    "đọc?)"), "E202"
        return "thư mục chỉ đọc hoặc không có quyền ghi", "E202"
    if isinstance(exc, FileNotFoundError):
        return "không tìm thấy tệp hoặc thư mục", "E207"
    if num == errno.ENAMETOOLONG:
        return "tên tệp hoặc đường dẫn quá dài", "E207"
    if num == errno.EBUSY:
        return "tệp đang được chương trình khác dùng; hãy đóng nó rồi chạy lại", "E205"
    return f"lỗi hệ thống: {exc.strerror or type(exc).__name__}", "E207"


def os_error_line(exc: OSError) -> str:
    """One Vietnamese line for an OSError that escaped a command: the file and the cause."""
    cause, _ = os_error_cause(exc, writing=False)
    if exc.filename:
        return f"Không đọc/ghi được «{exc.filename}»: {cause}."
    return f"Lỗi đọc/ghi tệp: {cause}."
