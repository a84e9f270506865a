"""Shared fixtures: LibreOffice discovery (skip locally when missing, fail in CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest


def soffice_or_skip() -> str:
    """Path of soffice; skip when missing, but fail when CI=true (CI must have it)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe:
        return exe
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("LibreOffice (soffice) is required in CI but is not installed")
    pytest.skip("LibreOffice (soffice) not installed")


# LibreOffice profile setting: recalculate every formula on load (tests and benchmarks)
RECALC_ALWAYS_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice_convert(src: Path, fmt: str, outdir: Path, timeout: int = 300,
                    recalc: bool = False, single: bool = True) -> Path:
    """Convert with headless LibreOffice using a private profile; return the output path.

    ``recalc=True`` makes LibreOffice recalculate every formula on load (by default it
    trusts the values cached in .xlsx files), which is what formula tests need.
    ``single=False``: the conversion writes several files (csv of every sheet).
    """
    exe = soffice_or_skip()
    profile = Path("/tmp") / f"lo-profile-{uuid.uuid4().hex}"
    if recalc:
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS_XCU)
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
           "--convert-to", fmt, "--outdir", str(outdir), str(src)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ext = fmt.split(":")[0]
    out = outdir / f"{src.stem}.{ext}"
    if single:  # a csv of every sheet writes '<stem>-<sheet>.csv' files instead
        assert out.exists(), f"soffice failed: {proc.stdout} {proc.stderr}"
    return out


@pytest.fixture
def soffice() -> str:
    return soffice_or_skip()
