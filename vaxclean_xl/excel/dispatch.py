"""Entry point of every ribbon button: ``run(button_id)``.

The generated VBA sends each click here::

    RunPython "import vaxclean_xl.excel.dispatch as d; d.run('validate')"

Why this module is tiny: each click starts a new Python process, so the time to import
this module is latency the user feels on every click (budget: 0.3 s, measured by
``benchmarks/import_time.py``). It imports only the registry (standard library) at module
level; xlwings, the handlers and everything they need are imported after the click.

What the user sees on failure: one short Vietnamese message box, and for unexpected
errors the path of the log file, never a Python traceback. The log
(``vaxclean_xl.logs``) gets the exception type and code locations, no cell values.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from vaxclean_xl.excel import registry

if TYPE_CHECKING:  # pragma: no cover
    from vaxclean_xl.excel.ui import Ui

OK, FAILED = 0, 1


def run(button_id: str) -> int:
    """Run the button ``button_id`` on the calling workbook; return 0 or 1.

    Never raises: every failure becomes a message for the user (and a log line).
    """
    try:
        btn = registry.button(button_id)
    except registry.UnknownButton:
        return _without_excel(
            f"Nút «{button_id}» không có trong phiên bản vaxclean này. Hãy cài lại add-in "
            "cho khớp với phiên bản Python.")
    try:
        import xlwings as xw

        book = xw.Book.caller()
    except Exception as exc:
        from vaxclean_xl.logs import log_crash

        path = log_crash(exc, f"excel:{button_id}:caller")
        return _without_excel(
            "Không kết nối được với Excel (xlwings). Hãy mở lại tệp rồi bấm lại; nếu vẫn "
            f"lỗi, bấm «Kiểm tra cài đặt». Nhật ký kỹ thuật: {path}")
    from vaxclean_xl.excel.ui import Ui

    return run_on(book, btn, Ui(book, title=f"Làm sạch TC – {btn.label}"))


def run_on(book: Any, btn: registry.Button, ui: Ui) -> int:
    """Resolve and call ``btn``'s handler on ``book``; turn every failure into a message.

    Separate from :func:`run` so tests can drive it with a remote-engine book.
    """
    from vaxclean_xl import __version__
    from vaxclean_xl.errors import VaxcleanError
    from vaxclean_xl.logs import log_crash, log_line

    try:
        handler = registry.resolve(btn.handler)
        handler(book, ui)
        return OK
    except registry.FeatureMissing as exc:
        log_line(f"excel button={btn.id} missing={exc.dotted}")
        ui.error(f"Chức năng «{btn.label}» chưa có trong phiên bản vaxclean {__version__} "
                 "này. Hãy cập nhật vaxclean.")
    except VaxcleanError as exc:
        log_line(f"excel button={btn.id} error={exc.code}")
        ui.error(exc.message)
    except KeyboardInterrupt:
        log_line(f"excel button={btn.id} interrupted")
    except Exception as exc:  # the last resort: a message and the log, no traceback
        path = log_crash(exc, f"excel:{btn.id}")
        ui.error(f"Có lỗi không mong muốn khi chạy «{btn.label}» ({type(exc).__name__}). "
                 f"Hãy gửi tệp nhật ký này cho người hỗ trợ:\n{path}")
    finally:
        try:
            ui.status(None)
        except Exception:
            pass
    return FAILED


def _without_excel(text: str) -> int:
    """Show ``text`` when there is no workbook to show it in.

    On Windows a Unicode message box (user32) needs no Excel; elsewhere stderr, which
    xlwings shows in its own error box when the exit code is not 0.
    """
    if sys.platform == "win32":
        try:
            import ctypes

            user32 = ctypes.windll.user32  # type: ignore[attr-defined]  # Windows only
            user32.MessageBoxW(0, text, "Làm sạch TC", 0x30)
            return FAILED
        except Exception:
            pass
    print(text, file=sys.stderr)
    return FAILED
