"""Where the files the package reads at run time are: ``templates/``, ``macros/``, ``docs/``.

They live at the top of the repository (the brief keeps the repository's shape: jinja2 and
spec files in ``templates/``, VBA sources in ``macros/``), which is where a checkout or an
editable install (``make setup``) finds them. A wheel carries copies inside the package,
under ``vaxclean_xl/_shipped/`` (``pyproject.toml`` maps the folders there), so an
installed copy finds them without the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
NAMES = ("templates", "macros", "docs")


def resource_dir(name: str) -> Path:
    """The folder ``name`` (one of :data:`NAMES`): the wheel's copy, else the repository's."""
    if name not in NAMES:
        raise ValueError(f"unknown resource folder {name!r}")
    shipped = _PACKAGE / "_shipped" / name
    if shipped.is_dir():  # an installed wheel (whatever else sits in site-packages)
        return shipped
    return _PACKAGE.parent / name
