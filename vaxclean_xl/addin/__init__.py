"""Build the Excel add-in's VBA project (``vbaProject.bin``) on any OS, without Excel.

The add-in's ribbon buttons call Python through xlwings' ``RunPython``; that needs VBA
code inside the workbook. Only Excel writes VBA projects natively, so this subpackage
writes one from source text instead ([MS-OVBA] on top of a [MS-CFB] compound file):

- :mod:`.ovba`: the MS-OVBA run-length compression used for module sources and ``dir``;
- :mod:`.cfb`: a deterministic compound-file writer;
- :mod:`.vbaproject`: :func:`build_vba_project` and :func:`vba_string_literal`.

Standard library only, so importing it costs nothing at button-click time.
"""

from vaxclean_xl.addin.vbaproject import (
    DEFAULT_REFERENCES,
    VbaModule,
    VbaReference,
    build_vba_project,
    load_module,
    module_text,
    vba_string_literal,
)

__all__ = [
    "DEFAULT_REFERENCES",
    "VbaModule",
    "VbaReference",
    "build_vba_project",
    "load_module",
    "module_text",
    "vba_string_literal",
]
