"""The split manifest (``manifest.json``, schema ``vaxclean.split/1``): what one split wrote.

Split writes it beside the hamlet files; split reads it again (the same split into the same
folder reuses it), merge reads it to know which records each hamlet file held, progress to
know what was sent. All of them go through :class:`SplitManifest`, so the JSON shape is
defined once here. A manifest written by split round-trips byte for byte through
:meth:`SplitManifest.from_json` and :meth:`SplitManifest.to_json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaxclean_xl.core.model import Record
from vaxclean_xl.formats.readback import positive_int

SCHEMA = "vaxclean.split/1"
MANIFEST_NAME = "manifest.json"


class NotAManifest(ValueError):  # noqa: N818 - a refusal like ValueError, not a crash
    """Valid JSON that is not a split manifest (another schema, or its shape is broken)."""


@dataclass(slots=True)
class ManifestRecord:
    """One record sent to a hamlet: its key in the hamlet file and its row in the list."""

    key: str
    row: int


@dataclass(slots=True)
class ManifestHamlet:
    """One hamlet file of the split."""

    hamlet: str  # display name ("" never: records without a hamlet get core's NO_HAMLET)
    file: str  # file name in the split's folder
    sha256: str = ""  # of the file as written ("" in a manifest rebuilt by merge)
    records: list[ManifestRecord] = field(default_factory=list)

    @property
    def rows(self) -> list[int]:
        """Source rows of the records, in file order."""
        return [r.row for r in self.records]


@dataclass(slots=True)
class ManifestSource:
    """The list that was split."""

    path: str
    sha256: str
    sheet: str | None
    header_row: int | None


@dataclass(slots=True)
class SplitManifest:
    """What one round of one split wrote (``vaxclean.split/1``)."""

    split_id: str
    hamlets: list[ManifestHamlet] = field(default_factory=list)
    source: ManifestSource | None = None  # None in a manifest rebuilt from ORIGINAL
    round_no: int = 1
    all_records: bool = False  # split --all
    encrypted: bool = False  # split --password
    path: Path | None = field(default=None, compare=False)  # where it was read from

    def hamlet_for_file(self, name: str) -> ManifestHamlet | None:
        """The hamlet entry of the file called ``name`` (as the split named it)."""
        return next((h for h in self.hamlets if h.file == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, keys in the order split has always written them."""
        data: dict[str, Any] = {"schema": SCHEMA, "split_id": self.split_id,
                                "round": self.round_no}
        if self.source is not None:
            s = self.source
            data["source"] = {"path": s.path, "sha256": s.sha256, "sheet": s.sheet,
                              "header_row": s.header_row}
        data["options"] = {"all": self.all_records, "encrypted": self.encrypted}
        data["hamlets"] = [
            {"hamlet": h.hamlet, "file": h.file, "sha256": h.sha256,
             "records": [{"key": r.key, "row": r.row} for r in h.records]}
            for h in self.hamlets
        ]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data: object, path: Path | None = None) -> SplitManifest:
        """The manifest in ``data`` (a parsed JSON value); :class:`NotAManifest` when it
        is not one. Lenient where readers always were: a missing list is empty, a
        missing text is "", a record whose row is not a positive number is left out."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise NotAManifest("not a vaxclean.split/1 manifest")
        try:
            src = data.get("source")
            source = None if src is None else ManifestSource(
                str(src.get("path") or ""), str(src.get("sha256") or ""), src.get("sheet"),
                src.get("header_row"))
            options = data.get("options") or {}
            hamlets = [
                ManifestHamlet(str(h.get("hamlet") or ""), str(h.get("file") or ""),
                               str(h.get("sha256") or ""),
                               [ManifestRecord(str(r.get("key") or ""), row)
                                for r in h.get("records") or []
                                if (row := positive_int(r.get("row"))) is not None])
                for h in data.get("hamlets") or []
            ]
            return cls(str(data.get("split_id") or ""), hamlets, source,
                       int(data.get("round") or 1), bool(options.get("all")),
                       bool(options.get("encrypted")), path)
        except (AttributeError, TypeError, ValueError) as exc:
            raise NotAManifest("broken vaxclean.split/1 manifest") from exc

    @classmethod
    def from_json(cls, text: str, path: Path | None = None) -> SplitManifest:
        """Parse ``text``; ``ValueError`` when it is not JSON, :class:`NotAManifest` when
        it is JSON but not a manifest."""
        return cls.from_dict(json.loads(text), path)

    def write(self, path: str | Path) -> None:
        """Write the JSON to ``path`` (the caller makes it atomic: split's output batch)."""
        Path(path).write_text(self.to_json(), encoding="utf-8")


def read_manifest(path: str | Path) -> SplitManifest:
    """The manifest at ``path``: ``OSError`` when it cannot be read, ``ValueError`` when it
    is not JSON (or not UTF-8), :class:`NotAManifest` (a ``ValueError``) when it is JSON but
    not a manifest."""
    path = Path(path)
    return SplitManifest.from_json(path.read_text(encoding="utf-8"), path)


def group_by_hamlet(chosen: list[Record], names: dict[str, str]) -> dict[str, list[Record]]:
    """Chosen records per hamlet display name (``Validation.hamlet_of``): the hamlet
    entries of a split, whether split writes them or merge rebuilds them."""
    groups: dict[str, list[Record]] = {}
    for rec in chosen:
        groups.setdefault(names[rec.hamlet], []).append(rec)
    return groups

