"""``vaxclean bundle-windows``: one .zip that installs vaxclean on a station PC with no
Internet: every wheel for Windows x64 and x86 and each CPython the dependencies support,
the prebuilt add-in, the staff guide and ``cai-dat.cmd`` / ``go-cai-dat.cmd``.

Built on Linux with the ordinary pip client (``pip download --only-binary=:all:
--platform ... --python-version ... --implementation cp``), network only to the package
registry. pip judges environment markers by the machine it runs on, so a download made on
Linux misses Windows-only dependencies (xlwings needs pywin32 there): after pip's
resolution each wheel's ``Requires-Dist`` is evaluated again for the Windows target and
whatever is missing is downloaded for that target too, until nothing is. A target pip
cannot resolve (no wheel for that Python or platform) is left out and reported, so the
bundle claims only what installs.

Downloads are cached per target (``~/.cache/vaxclean-bundle`` by default) with the
requirement set they were resolved for; a rebuild with the same requirements needs no
network. The install logic is the step table of :mod:`vaxclean_xl.commands.bundle_table`.
"""

from __future__ import annotations

import concurrent.futures
import email.parser
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl import __version__
from vaxclean_xl.commands import bundle_table as T
from vaxclean_xl.errors import E, VaxcleanError
from vaxclean_xl.io.atomic import atomic_path

# the package itself requires Python >= 3.11 (pyproject), so 3.10 is never a candidate
CANDIDATE_PYTHONS = ("3.11", "3.12", "3.13")
PLATFORMS = tuple(T.ARCHES)
ROOT_REQUIREMENT = "vaxclean_xl[excel]"
# where cai-dat.cmd puts the venv; xlwings expands %VARS% in its INTERPRETER_WIN setting, so
# the prebuilt add-in works when copied by hand after cai-dat.cmd made the venv
PREBUILT_INTERPRETER = r"%LOCALAPPDATA%\vaxclean\venv\Scripts\pythonw.exe"
_NETWORK = re.compile(r"NewConnectionError|Failed to establish|Temporary failure in name "
                      r"resolution|Max retries exceeded|ProxyError|Could not fetch URL|"
                      r"ConnectTimeout|ReadTimeout|Network is unreachable")
_UNRESOLVABLE = re.compile(r"No matching distribution found|ResolutionImpossible|"
                           r"requires a different Python")
_SOURCE_IGNORE = shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__",
                                        ".pytest_cache", ".ruff_cache", "demo-output", "out",
                                        "*.zip")


class RegistryUnreachable(VaxcleanError):
    """pip could not reach the package registry (the bundle needs it once per target)."""


@dataclass(frozen=True, order=True)
class Target:
    """One interpreter the bundle carries wheels for."""

    python: str  # "3.13"
    platform: str  # "win_amd64" / "win32"

    @property
    def tag(self) -> str:
        return f"cp{self.python.replace('.', '')}-{self.platform}"

    def marker_environment(self) -> dict[str, str]:
        """PEP 508 marker values of CPython ``python`` on Windows with this platform."""
        return {"implementation_name": "cpython", "implementation_version": f"{self.python}.0",
                "os_name": "nt", "platform_machine": "AMD64" if self.platform == "win_amd64"
                else "x86", "platform_python_implementation": "CPython",
                "platform_release": "10", "platform_system": "Windows",
                "platform_version": "10.0.19045", "python_full_version": f"{self.python}.0",
                "python_version": self.python, "sys_platform": "win32"}


@dataclass
class BuiltBundle:
    """What went into the zip, what was left out and why, and what it cost."""

    path: Path
    targets: list[Target]
    dropped: list[tuple[Target, str]]
    wheels: list[str]
    size: int
    seconds: float
    from_cache: list[Target] = field(default_factory=list)


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/vaxclean-bundle`` (``~/.cache/vaxclean-bundle``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vaxclean-bundle"


def source_root() -> Path:
    """The repository the package is running from (the bundle builds its wheel from it)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file() or not (root / "docs").is_dir():
        raise VaxcleanError("bundle-windows cần mã nguồn vaxclean (bản sao kho mã có "
                            "pyproject.toml); bản đã cài từ wheel không tạo được gói cài.",
                            code=E.GENERIC)
    return root


def build_bundle(output: str | Path, *, cache: str | Path | None = None,
                 pythons: Iterable[str] = CANDIDATE_PYTHONS,
                 platforms: Iterable[str] = PLATFORMS, refresh: bool = False,
                 note: Callable[[str], None] = lambda _line: None) -> BuiltBundle:
    """Build the offline installer zip; ``note`` receives progress lines."""
    started = time.monotonic()
    out = Path(output)
    cache_dir = Path(cache) if cache else default_cache()
    cache_dir.mkdir(parents=True, exist_ok=True)
    wanted = [Target(v, p) for v in pythons for p in platforms]
    for t in wanted:
        if t.python not in T.INSTALLERS or t.platform not in T.ARCHES:
            raise VaxcleanError(f"Không hỗ trợ đích {t.tag}.", code=E.GENERIC)
    with tempfile.TemporaryDirectory(prefix="vaxclean-bundle-") as tmp_:
        tmp = Path(tmp_)
        note("Tạo wheel của vaxclean…")
        own = build_own_wheel(tmp / "own")
        key = _resolution_key(own)
        resolved: dict[Target, list[Path]] = {}
        dropped: list[tuple[Target, str]] = []
        from_cache: list[Target] = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            futures = {pool.submit(_resolve, t, own, cache_dir / t.tag, key, refresh): t
                       for t in wanted}
            for future in concurrent.futures.as_completed(futures):
                t = futures[future]
                try:
                    resolved[t], cached = future.result()
                except _Unresolvable as exc:
                    dropped.append((t, str(exc)))
                    note(f"Bỏ đích {t.tag}: {exc}")
                    continue
                if cached:
                    from_cache.append(t)
                note(f"Đủ thư viện cho {t.tag}" + (" (bộ nhớ đệm)" if cached else ""))
        if not resolved:
            raise VaxcleanError("Không đích Windows nào có đủ wheel.", code=E.GENERIC)
        targets = sorted(resolved)
        stage = tmp / "stage"
        wheels = _collect_wheels(own, resolved, stage / "wheels")
        note("Tạo add-in…")
        _build_addin(stage / "vaxclean.xlam")
        _write_texts(stage, targets, wheels, resolved)
        with atomic_path(out) as zpath:
            _zip(stage, zpath)
    umask = os.umask(0o022)
    os.umask(umask)
    out.chmod(0o666 & ~umask)  # the atomic temp file is 0600; the zip is handed to others
    return BuiltBundle(out, targets, sorted(dropped), wheels, out.stat().st_size,
                       time.monotonic() - started, sorted(from_cache))


def build_own_wheel(dest: Path) -> Path:
    """The package's wheel, built from a clean copy of the source (no stale build/ files)
    with the running interpreter's setuptools, offline."""
    copy = dest.parent / "source"
    shutil.copytree(source_root(), copy, ignore=_SOURCE_IGNORE)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(dest), str(copy)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise VaxcleanError("Không tạo được wheel của vaxclean: "
                            + _last_line(done.stderr), code=E.GENERIC)
    (wheel,) = dest.glob("vaxclean_xl-*.whl")
    return wheel


def wheel_metadata(wheel: Path) -> tuple[str, str, list[str]]:
    """(name, version, Requires-Dist lines) of a wheel."""
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist()
                    if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(z.read(name).decode("utf-8"), headersonly=True)
    return meta["Name"], meta["Version"], meta.get_all("Requires-Dist") or []


def missing_for_windows(wheels: Iterable[Path], target: Target) -> list[str]:
    """Requirements the target needs on Windows that no wheel in ``wheels`` provides,
    following the dependency tree from vaxclean_xl[excel] with Windows markers."""
    pk = _packaging()
    dists = {}
    for w in wheels:
        name, version, requires = wheel_metadata(w)
        dists[pk.utils.canonicalize_name(name)] = (pk.version.Version(version), requires)
    env = target.marker_environment()
    missing: list[str] = []
    todo = [(pk.utils.canonicalize_name("vaxclean-xl"), frozenset({"excel"}))]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        item = todo.pop()
        if item in seen:
            continue
        seen.add(item)
        name, extras = item
        for line in dists[name][1]:
            req = pk.requirements.Requirement(line)
            if req.marker is not None and not any(
                    req.marker.evaluate({**env, "extra": e}) for e in ("", *extras)):
                continue
            dep = pk.utils.canonicalize_name(req.name)
            if dep not in dists:
                missing.append(str(req).split(";")[0].strip())
                continue
            if not req.specifier.contains(dists[dep][0], prereleases=True):
                raise VaxcleanError(f"{target.tag}: {req} không khớp phiên bản đã tải "
                                    f"{dists[dep][0]}.", code=E.GENERIC)
            todo.append((dep, frozenset(req.extras)))
    return sorted(set(missing))


class _Unresolvable(Exception):
    """No set of wheels installs vaxclean_xl[excel] on this target."""


def _packaging():  # noqa: ANN202 - the packaging module (standalone or pip's copy)
    try:
        import packaging.requirements
        import packaging.utils
        import packaging.version
        return packaging
    except ImportError:  # pip always carries one
        from pip._vendor import packaging
        from pip._vendor.packaging import requirements, utils, version  # noqa: F401
        return packaging


def _resolution_key(own: Path) -> str:
    """What a cached resolution depends on: our requirements and the pip doing it."""
    _, _, requires = wheel_metadata(own)
    pip = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True,
                         text=True).stdout.split(" from ")[0]
    blob = json.dumps({"requires": sorted(requires), "pip": pip, "schema": 1})
    return hashlib.sha256(blob.encode()).hexdigest()


def _resolve(target: Target, own: Path, folder: Path, key: str,
             refresh: bool) -> tuple[list[Path], bool]:
    """The target's dependency wheels (not our own), from the cache when its key matches;
    (wheels, came from cache)."""
    stamp = folder / "resolved.json"
    if not refresh and stamp.is_file():
        data = json.loads(stamp.read_text(encoding="utf-8"))
        if data.get("key") == key:
            if "unresolvable" in data:
                raise _Unresolvable(data["unresolvable"])
            files = [folder / n for n in data["wheels"]]
            if all(f.is_file() for f in files):
                return files, True
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.tag}-", dir=folder.parent))
    try:
        requirements = [f"{ROOT_REQUIREMENT} @ {own.as_uri()}"]
        for _round in range(6):
            _pip_download(target, requirements, work, folder, key)
            requirements = missing_for_windows(work.glob("*.whl"), target)
            if not requirements:
                break
        else:
            raise VaxcleanError(f"{target.tag}: vòng phụ thuộc Windows không dừng.",
                                code=E.GENERIC)
        (work / own.name).unlink()
        names = sorted(p.name for p in work.glob("*.whl"))
        (work / "resolved.json").write_text(json.dumps({"key": key, "wheels": names}),
                                            encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        work.rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [folder / n for n in names], False


def _pip_download(target: Target, requirements: list[str], dest: Path, folder: Path,
                  key: str) -> None:
    """``pip download`` of ``requirements`` (with their dependencies) for ``target``."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--platform",
         target.platform, "--python-version", target.python, "--implementation", "cp",
         "--dest", str(dest), "--progress-bar", "off", "--disable-pip-version-check",
         *requirements], capture_output=True, text=True)
    if done.returncode == 0:
        return
    if _NETWORK.search(done.stderr):
        raise RegistryUnreachable(f"Không kết nối được kho gói Python khi tải {target.tag}: "
                                  + _last_line(done.stderr), code=E.GENERIC)
    if _UNRESOLVABLE.search(done.stderr):
        reason = _last_line(done.stderr)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "resolved.json").write_text(json.dumps({"key": key, "unresolvable": reason}),
                                              encoding="utf-8")
        raise _Unresolvable(reason)
    raise VaxcleanError(f"pip download {target.tag} lỗi: " + _last_line(done.stderr),
                        code=E.GENERIC)


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR")]
    return (errors or lines or ["(không có thông báo)"])[-1]


def _collect_wheels(own: Path, resolved: dict[Target, list[Path]], dest: Path) -> list[str]:
    """Every target's wheels in one folder; a file two targets share (a pure wheel) once,
    and the same name must be the same bytes."""
    dest.mkdir(parents=True)
    shutil.copy2(own, dest / own.name)
    digests: dict[str, str] = {}
    for target in sorted(resolved):
        for w in resolved[target]:
            digest = hashlib.sha256(w.read_bytes()).hexdigest()
            if digests.setdefault(w.name, digest) != digest:
                raise VaxcleanError(f"Hai tệp khác nhau cùng tên {w.name}.", code=E.GENERIC)
            if not (dest / w.name).exists():
                shutil.copy2(w, dest / w.name)
    return sorted(p.name for p in dest.iterdir())


def _build_addin(path: Path) -> None:
    """The add-in by the existing ``build-addin`` command (its own process: a command does
    not import another), pointing at the venv cai-dat.cmd creates."""
    done = subprocess.run([sys.executable, "-m", "vaxclean_xl", "build-addin", "-o", str(path),
                           "--interpreter", PREBUILT_INTERPRETER],
                          capture_output=True, text=True)
    if done.returncode != 0 or not path.is_file():
        raise VaxcleanError("Không tạo được add-in: " + _last_line(done.stderr),
                            code=E.GENERIC)


def _write_texts(stage: Path, targets: list[Target], wheels: list[str],
                 resolved: dict[Target, list[Path]]) -> None:
    """The .cmd files (CRLF), the runner and its tables, the guide and a manifest."""
    stage.joinpath("cai-dat.cmd").write_bytes(T.install_cmd().encode("utf-8"))
    stage.joinpath("go-cai-dat.cmd").write_bytes(T.uninstall_cmd().encode("utf-8"))
    scripts = stage / "tap-lenh"
    scripts.mkdir()
    scripts.joinpath("chay-bang.ps1").write_bytes(
        T.RUNNER_PS1.replace("\n", "\r\n").encode("ascii"))
    pairs = [(t.python, t.platform) for t in targets]
    for name, table in (("cai-dat.json", T.install_table(pairs)),
                        ("go-cai-dat.json", T.uninstall_table())):
        scripts.joinpath(name).write_text(json.dumps(table, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    shutil.copy2(source_root() / "docs" / "huong-dan-excel.md", stage / "huong-dan-excel.md")
    newest = max(targets, key=lambda t: tuple(map(int, t.python.split(".")))).python
    manifest = {
        "schema": "vaxclean.bundle/1", "vaxclean": __version__,
        "pythons": sorted({t.python for t in targets}),
        "targets": [{"python": t.python, "platform": t.platform, "tag": t.tag,
                     "wheels": sorted(p.name for p in resolved[t])} for t in targets],
        "python_installer": {"version": T.INSTALLERS[newest],
                             "files": list(T.installer_names(newest))},
        "wheels": wheels,
    }
    stage.joinpath("manifest.json").write_text(json.dumps(manifest, indent=1) + "\n",
                                               encoding="utf-8")


def _zip(stage: Path, path: Path) -> None:
    """Files at the zip's root (Windows' «Extract All» makes the folder); wheels and the
    add-in are stored (already compressed), texts deflated."""
    with zipfile.ZipFile(path, "w") as z:
        for f in sorted(p for p in stage.rglob("*") if p.is_file()):
            packed = f.suffix in (".whl", ".xlam")
            z.write(f, f.relative_to(stage).as_posix(),
                    compress_type=zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED)
