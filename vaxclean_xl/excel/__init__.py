"""The Excel door: ribbon buttons that call the library through xlwings ``RunPython``.

Why a separate subpackage: every click starts a fresh Python process, so what a click
imports first (:mod:`.dispatch` and :mod:`.registry`) must stay tiny; everything heavy
(xlwings itself, the readers, the rules, openpyxl, phonenumbers) is imported inside the
button functions (:mod:`.buttons`). This ``__init__`` therefore imports nothing.

- :mod:`.registry`: the ONE list of buttons; the ribbon XML, the VBA dispatch module and
  the Python dispatch are all generated from / resolved through it;
- :mod:`.dispatch`: ``run(button_id)``, the entry point every button calls;
- :mod:`.buttons`: one function per button, working on ``xw.Book.caller()``;
- :mod:`.sheet`, :mod:`.paint`, :mod:`.ui`: reading the live sheet with the file reader's
  header logic, colouring with few Excel calls, messages/status bar/pickers;
- :mod:`.vba`: renders ``templates/ribbon/*.j2`` from the registry;
- :mod:`.diagnostics`: ``doctor()`` for the "Kiểm tra cài đặt" button and the CLI;
  :mod:`.windows_probe` reads and :mod:`.windows_checks` judges its Windows first-run
  checks (Office bitness, XLSTART, Mark of the Web, macro settings, Defender ASR).
"""
