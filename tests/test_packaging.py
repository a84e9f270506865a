"""The wheel: everything the package reads at run time travels with it.

``make setup`` installs editable, which finds ``templates/``, ``macros/`` and ``docs/`` in
the repository; a station PC may get a plain ``pip install`` of the wheel instead. Built
with the running interpreter's setuptools (no network), installed into a folder, used from
elsewhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_templates_macros_docs_and_works_without_the_repository(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(ROOT)], check=True,
                   capture_output=True, cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("vaxclean_xl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, pattern in (("templates", "**/*"), ("macros", "*.bas"), ("docs", "*.md")):
        files = [p for p in (ROOT / folder).glob(pattern) if p.is_file()]
        assert files
        for p in files:
            assert f"vaxclean_xl/_shipped/{folder}/{p.relative_to(ROOT / folder)}" in names
    # every package of the source tree is in the wheel (pyproject lists them by hand)
    source = {str(p.parent.relative_to(ROOT)) for p in (ROOT / "vaxclean_xl").rglob("__init__.py")}
    shipped = {n.rsplit("/", 1)[0] for n in names if n.endswith("/__init__.py")}
    assert source == shipped

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    # other distributions sometimes install a top-level docs/ or templates/ folder: the
    # package must still use its own copies
    (site / "docs").mkdir(exist_ok=True)
    (site / "templates").mkdir(exist_ok=True)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import vaxclean_xl, pathlib; here = pathlib.Path(vaxclean_xl.__file__);"
        "assert here.is_relative_to(sys.argv[1]), here;"
        "from vaxclean_xl.resources import resource_dir;"
        "from vaxclean_xl.excel import vba;"
        "from vaxclean_xl.formats.import_file import load_spec;"
        "from vaxclean_xl.excel.buttons import guide_path;"
        "print(resource_dir('templates'));"
        "print(len(vba.ribbon_xml()), len(vba.helpers_module()));"
        "print(load_spec().path); print(guide_path())"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True,
                         text=True, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    templates, sizes, spec, guide = out.stdout.splitlines()
    shipped_dir = site / "vaxclean_xl" / "_shipped"
    assert Path(templates) == shipped_dir / "templates"
    assert all(int(n) > 500 for n in sizes.split())
    assert Path(spec) == shipped_dir / "templates" / "import" / "platform-2021.json"
    assert Path(guide) == shipped_dir / "docs" / "huong-dan-excel.md"
