"""User-facing errors: a stable code plus one clear Vietnamese line, and the one registry
of those codes (:class:`E`).

Raised at the edges (readers, writers, CLI) when the input cannot be processed. The CLI
prints ``message`` and exits with ``exit_code``; never put personal data in a message
(row numbers only). Every code is declared once in :class:`E`, with a Vietnamese title and
an English description, and the code that raises names it (``code=E.NO_HEADER``), so one
code never means two things; ``docs/errors.md`` is generated from it
(:func:`errors_markdown`, checked by tests/test_errors.py).
"""

from __future__ import annotations

import enum


@enum.unique
class E(enum.StrEnum):
    """Every error code, once. ``E.NAME`` is the code string itself ("E106"); ``title_vi``
    and ``description`` say what it means. Ranges: E0xx command line, E1xx reading a list
    or settings, E2xx writing outputs, E3xx merge, E4xx export-import, E5xx the Excel
    add-in and its build, E6xx progress."""

    title_vi: str
    description: str

    def __new__(cls, code: str, title_vi: str, description: str) -> E:
        member = str.__new__(cls, code)
        member._value_ = code
        member.title_vi = title_vi
        member.description = description
        return member

    GENERIC = ("E000", "Lỗi", "A user-facing error raised without a more specific code.")
    MAP_OPTION = ("E001", "Tùy chọn --map sai dạng",
                  "A --map option is not FIELD=COLUMN (e.g. id_number=E).")
    INPUT = ("E100", "Không dùng được tệp đầu vào",
             "An input cannot be used (InputError raised without a more specific code).")
    FILE_MISSING = ("E101", "Không tìm thấy tệp",
                    "The list file (or the import template given) does not exist, or is a "
                    "folder.")
    UNSUPPORTED_FORMAT = ("E102", "Định dạng tệp không được hỗ trợ",
                          "Not .xlsx/.xlsm/.xls/.ods/.csv, or an HTML/XML page saved under a "
                          "spreadsheet suffix.")
    UNREADABLE = ("E103", "Tệp hỏng hoặc không đọc được",
                  "The spreadsheet is corrupt, or the text encoding of a CSV cannot be "
                  "determined.")
    PASSWORD = ("E104", "Tệp có mật khẩu",
                "The workbook is password-protected; it must be saved without the password.")
    EMPTY = ("E105", "Không có dữ liệu",
             "The file, or the sheet open in Excel, holds no data, or a header without any "
             "record under it.")
    NO_HEADER = ("E106", "Không tìm thấy dòng tiêu đề",
                 "No header row (full name and one of date of birth, ID, sex) in the first "
                 "rows of the sheet.")
    NO_SUCH_SHEET = ("E107", "Không có trang tính này",
                     "The sheet named with --sheet is not in the workbook.")
    BAD_MAPPING = ("E108", "Ghép cột không hợp lệ",
                   "A column mapping names an unknown field, no column, or a column the sheet "
                   "does not have.")
    SHEET_TOO_LARGE = ("E109", "Trang tính quá lớn",
                       "A cell far from the list (at XFD1048576, say) makes the sheet's range "
                       "too large to read, or leaves no free column for the status columns; "
                       "the stray cells must be deleted.")
    SETTINGS = ("E110", "Tệp cài đặt không dùng được",
                "The settings file cannot be used: unreadable, not UTF-8, a syntax error or an "
                "unknown key.")
    OUTPUT = ("E200", "Không ghi được tệp kết quả",
              "An output cannot be written (OutputError raised without a more specific code).")
    OUTPUT_IS_INPUT = ("E201", "Tệp kết quả trùng tệp đầu vào",
                       "An output path is the input file or another input itself, or a file "
                       "merge or progress would read from a folder given to it.")
    NO_WRITE_ACCESS = ("E202", "Không có quyền ghi vào thư mục",
                       "Permission denied, a read-only folder, or a part of the path that is "
                       "a file, not a folder.")
    PATH_IS_FOLDER = ("E203", "Đường dẫn là thư mục", "The output path names a folder.")
    OUTPUT_SUFFIX = ("E204", "Đuôi tệp kết quả không đúng",
                     "A workbook output is not named .xlsx/.xlsm (export-import: the "
                     "template's own suffix or .xlsx).")
    FILE_IN_USE = ("E205", "Tệp đang mở",
                   "The file is open in Excel, or busy in another program.")
    DISK_FULL = ("E206", "Ổ đĩa đầy", "No space left on the disk (or the quota is used up).")
    FILE_SYSTEM = ("E207", "Lỗi hệ thống tệp",
                   "Another file-system error: not found, a name too long, or another OS "
                   "error.")
    DUPLICATE_OUTPUT = ("E208", "Hai tệp kết quả cùng tên",
                        "Two outputs of one command would be written to the same path.")
    SPLIT_REFUSED = ("E210", "Thư mục đã có tệp không được ghi đè",
                     "split: the folder holds files of another split, or files no manifest "
                     "accounts for; nothing is replaced (--new-round starts a new round).")
    MERGE = ("E300", "Không gộp được",
             "The merge cannot proceed (MergeError raised without a more specific code).")
    SOURCE_CHANGED = ("E301", "Danh sách gốc đã thay đổi",
                      "merge: ORIGINAL differs from the list that was split (the manifest's "
                      "checksum); --force merges anyway.")
    NOTHING_RETURNED = ("E302", "Không có tệp trả về",
                        "merge: no returned file (.xlsx, .xlsm, .xls, .ods) was found.")
    NOTHING_MERGEABLE = ("E303", "Không tệp trả về nào gộp được",
                         "merge: every returned file was refused.")
    ACCEPT_OPTION = ("E304", "Tùy chọn --accept sai dạng",
                     "An --accept option is not ROW:FIELD (e.g. 12:dob).")
    NOT_A_HAMLET_FILE = ("E310", "Không phải tệp thôn dùng được",
                         "merge: a returned file is not a usable hamlet file of this list.")
    NOT_A_POLICE_LIST = ("E320", "Không phải danh sách công an dùng được",
                         "merge: a returned file is not a usable police list of vaxclean.")
    BAD_BASELINE = ("E401", "Báo cáo gốc không dùng được",
                    "--baseline is not a readable validate JSON report "
                    "(vaxclean.validation/1).")
    BAD_IMPORT_SPEC = ("E402", "Đặc tả mẫu import không dùng được",
                       "export-import: the import spec (--spec) is missing or malformed.")
    BAD_TEMPLATE = ("E403", "Tệp mẫu import không dùng được",
                    "export-import: the platform's template (--template) is not .xlsx/.xlsm "
                    "(nor an .xls LibreOffice can convert, or LibreOffice is missing for an "
                    ".xls), has no header that can be found, or is corrupt.")
    NO_ID_COLUMN = ("E405", "Danh sách không có cột Số CCCD/CMND",
                    "export-import: the list has no ID column to import by.")
    WEB_PATH = ("E501", "Tệp đang mở từ OneDrive/SharePoint",
                "Excel button: the workbook is open from a web path; save a copy on the "
                "computer.")
    UNSAVED_WORKBOOK = ("E502", "Danh sách chưa được lưu",
                        "Excel button: the workbook has never been saved to a file.")
    WORKBOOK_TYPE = ("E503", "Loại tệp không dùng được",
                     "Excel button: the open workbook is not .xlsx/.xlsm/.xls/.ods/.csv.")
    SHEET_PROTECTED = ("E504", "Trang tính đang bị khóa",
                       "Excel button: the sheet is protected; unprotect it and click again.")
    GUIDE_MISSING = ("E510", "Không tìm thấy tệp hướng dẫn",
                     "Excel button: the staff guide is missing from the installation.")
    XLWINGS_MISSING = ("E520", "Chưa cài xlwings",
                       "build-addin/build-workbook: xlwings (the [excel] extra) is not "
                       "installed.")
    XLWINGS_VBA_UNKNOWN = ("E521", "Không nhận ra mã VBA của xlwings",
                           "build-addin/build-workbook: the installed xlwings' VBA runtime is "
                           "not in the expected shape.")
    WINDOWS_ONLY = ("E522", "Chỉ dùng được trên Windows",
                    "install-excel: needs Windows (the XLSTART folder under APPDATA).")
    PROGRESS = ("E600", "Không lập được báo cáo tiến độ",
                "progress: an input cannot be used (ProgressError raised without a more "
                "specific code).")
    PROGRESS_INPUT_MISSING = ("E601", "Không tìm thấy đầu vào",
                              "progress: a file or folder given does not exist.")
    PROGRESS_INPUT_UNUSABLE = ("E602", "Đầu vào không dùng được",
                               "progress: a file given by name is not a result of vaxclean.")
    NO_RESULTS = ("E603", "Không có tệp kết quả nào",
                  "progress: no result of vaxclean was found in the inputs.")
    PROGRESS_OUTPUT_SUFFIX = ("E604", "Tệp báo cáo tiến độ phải là .xlsx",
                              "progress: the output's suffix is not .xlsx.")
    PASSPORT_NO_DOSES = ("E700", "Danh sách không có cột mũi tiêm",
                         "passport: the list has no dose columns (vaccine and date of each "
                         "dose), so nobody can be judged for the vaccine passport.")
    PASSPORT_SINCE = ("E701", "Ngày --since không hợp lệ",
                      "passport: --since is not a date written dd/mm/yyyy.")
    PASSPORT_REPORT = ("E702", "Không phải báo cáo hộ chiếu vắc xin",
                       "A file read as a passport report is not valid JSON of schema "
                       "vaxclean.passport/1.")


def errors_markdown() -> str:
    """The text of ``docs/errors.md``: every code of :class:`E`, its title and description."""
    lines = [
        "# Mã lỗi / Error codes", "",
        "Generated from `vaxclean_xl/errors.py` (class `E`) by `errors_markdown()`; "
        "tests/test_errors.py checks that this page is up to date. When a command stops on "
        "one of these it prints one Vietnamese line and exits with code 2; the Excel add-in "
        "shows the line and logs the code.", "",
        "| Mã | Tên | Tiêu đề | Description |", "| --- | --- | --- | --- |",
    ]
    lines += [f"| {e.value} | `E.{e.name}` | {e.title_vi} | {e.description} |" for e in E]
    return "\n".join(lines) + "\n"


class VaxcleanError(Exception):
    """A problem the user can act on; ``message`` is Vietnamese and shown as is."""

    code: str = E.GENERIC
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

    code = E.INPUT


class OutputError(VaxcleanError):
    """An output cannot be written (e.g. it would overwrite the input)."""

    code = E.OUTPUT


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
        return "đường dẫn này là một thư mục, không phải tệp", E.PATH_IS_FOLDER
    if isinstance(exc, NotADirectoryError) or num == errno.ENOTDIR:
        return "một phần của đường dẫn là tệp, không phải thư mục", E.NO_WRITE_ACCESS
    if num in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return "ổ đĩa đầy (hoặc hết dung lượng được cấp); hãy giải phóng chỗ trống", E.DISK_FULL
    if num == errno.EROFS:
        return "thư mục chỉ đọc hoặc không có quyền ghi", E.NO_WRITE_ACCESS
    if winerror in (32, 33) or (existing and isinstance(exc, PermissionError)):
        return "tệp đang mở trong Excel? Hãy đóng tệp rồi chạy lại", E.FILE_IN_USE
    if isinstance(exc, PermissionError):
        if not writing:
            return ("không có quyền truy cập (tệp đang mở trong Excel, hoặc thư mục chỉ "
                    "đọc?)"), E.NO_WRITE_ACCESS
        return "thư mục chỉ đọc hoặc không có quyền ghi", E.NO_WRITE_ACCESS
    if isinstance(exc, FileNotFoundError):
        return "không tìm thấy tệp hoặc thư mục", E.FILE_SYSTEM
    if num == errno.ENAMETOOLONG:
        return "tên tệp hoặc đường dẫn quá dài", E.FILE_SYSTEM
    if num == errno.EBUSY:
        return "tệp đang được chương trình khác dùng; hãy đóng nó rồi chạy lại", E.FILE_IN_USE
    return f"lỗi hệ thống: {exc.strerror or type(exc).__name__}", E.FILE_SYSTEM


def os_error_line(exc: OSError) -> str:
    """One Vietnamese line for an OSError that escaped a command: the file and the cause."""
    cause, _ = os_error_cause(exc, writing=False)
    if exc.filename:
        return f"Không đọc/ghi được «{exc.filename}»: {cause}."
    return f"Lỗi đọc/ghi tệp: {cause}."
