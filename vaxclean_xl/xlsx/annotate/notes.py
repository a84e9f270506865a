"""Cell notes: the comments part (the text) and the legacy VML drawing (the hidden boxes).

Excel, WPS and LibreOffice show a note only when both parts agree; an existing notes part
of the user's is extended, never replaced: a note already on a cell gets our lines added
(an earlier run's findings renewed, not repeated), VML shape ids stay unique across the
workbook's drawings. New parts for a million notes are streamed, never one string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator

from vaxclean_xl.xlsx.ooxml import (
    NS_MAIN,
    XML_DECL,
    WorkbookPackageError,
    append_children,
    append_children_at,
    col_letter,
    esc_text,
    get_attr,
    parse_ref,
    part_root,
    set_attr,
    unesc,
)
from vaxclean_xl.xlsx.stream import Streamed

NOTE_AUTHOR = "vaxclean"


def _note_size(note: str) -> tuple[int, float]:
    """(rows tall, points tall) of a note box wide enough for ~3 columns."""
    lines = sum(max(1, math.ceil(len(line) / 32)) for line in note.splitlines() or [""])
    rows = max(4, lines + 1)
    return rows, rows * 15.0


def _vml_shape(shape_id: int, z: int, row: int, col: int, note: str) -> str:
    """One hidden legacy note shape; ``row``/``col`` are the 1-based row and 0-based col."""
    rows, height = _note_size(note)
    top = max(row - 2, 0)
    anchor = f"{col + 1}, 15, {top}, 10, {col + 4}, 15, {top + rows}, 4"
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;'
        f"margin-left:{(col + 1) * 48 + 11:.2f}pt;margin-top:{max(row - 1, 0) * 15 + 1.5:.2f}pt;"
        f'width:144pt;height:{height:.2f}pt;z-index:{z};visibility:hidden" fillcolor="#ffffe1" '
        'o:insetmode="auto"><v:fill color2="#ffffe1"/>'
        '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
        '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill>"
        f"<x:Row>{row - 1}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
    )


_VML_SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)
_VML_NS = {
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "x": "urn:schemas-microsoft-com:office:excel",
}


def vml_blocks(vml: str) -> list[int]:
    m = re.search(r"""<(?:[\w.-]+:)?idmap\b[^>]*\bdata\s*=\s*["']([^"']*)["']""", vml)
    if not m:
        return []
    return [int(x) for x in re.findall(r"\d+", m.group(1))]




def build_vml(
    existing: str | None,
    other_blocks: set[int],
    notes: list[tuple[int, int, str]],
) -> str:
    """A VML drawing holding hidden note shapes: a new one, or ``existing`` plus new shapes."""
    own_blocks = vml_blocks(existing) if existing else []
    used_ids = {int(x) for x in re.findall(r"_x0000_s(\d+)", existing or "")}
    blocks = list(own_blocks)
    taken = set(other_blocks) | set(own_blocks)

    def ids() -> Iterable[int]:
        for block in own_blocks:
            start = max([i for i in used_ids if i // 1024 == block], default=block * 1024) + 1
            yield from range(start, block * 1024 + 1024)
        block = 1
        while True:
            while block in taken:
                block += 1
            taken.add(block)
            blocks.append(block)
            yield from range(block * 1024 + 1, block * 1024 + 1024)

    id_iter = iter(ids())
    z0 = len(re.findall(r"<(?:[\w.-]+:)?shape\b", existing or ""))
    if existing is None:  # a new part: streamed, a million notes never sit in one string
        shape_ids = [next(id_iter) for _ in notes]  # draws every block the idmap must list
        data = ",".join(str(b) for b in blocks)

        def chunks() -> Iterator[str]:
            yield ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
                   'xmlns:o="urn:schemas-microsoft-com:office:office" '
                   'xmlns:x="urn:schemas-microsoft-com:office:excel">')
            yield (f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{data}"/>'
                   f"</o:shapelayout>{_VML_SHAPETYPE}")
            for i, (row, col, note) in enumerate(notes):
                yield _vml_shape(shape_ids[i], z0 + i + 1, row, col, note)
            yield "</xml>"

        return Streamed(chunks)
    shapes = "".join(
        _vml_shape(next(id_iter), z0 + i + 1, row, col, note)
        for i, (row, col, note) in enumerate(notes)
    )
    data = ",".join(str(b) for b in blocks)
    vml = existing
    root = re.search(r"<xml\b[^>]*>", vml)
    if root is None:
        raise WorkbookPackageError("Tệp Excel bị hỏng: phần VML của ghi chú không hợp lệ.")
    root_tag = root.group(0)
    for prefix, uri in _VML_NS.items():  # our shapes use the conventional v/o/x prefixes
        if f"xmlns:{prefix}=" not in root_tag:
            root_tag = root_tag[:-1] + f' xmlns:{prefix}="{uri}">'
    vml = vml[: root.start()] + root_tag + vml[root.end() :]
    if blocks != own_blocks:
        idmap = re.search(r"""(<(?:[\w.-]+:)?idmap\b[^>]*\bdata\s*=\s*)(["'])[^"']*\2""", vml)
        if idmap:
            vml = vml[: idmap.start()] + f'{idmap.group(1)}"{data}"' + vml[idmap.end() :]
        else:
            layout = f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{data}"/>'
            layout += "</o:shapelayout>"
            vml = (
                vml[: vml.index(">", root.start()) + 1]
                + layout
                + vml[vml.index(">", root.start()) + 1 :]
            )
    if 'id="_x0000_t202"' not in vml:
        shapes = _VML_SHAPETYPE + shapes
    end = vml.rfind("</xml>")
    if end < 0:
        raise WorkbookPackageError("Tệp Excel bị hỏng: phần VML của ghi chú không hợp lệ.")
    return vml[:end] + shapes + vml[end:]


def _comment_run(p: str, text: str) -> str:
    return (
        f'<{p}r><{p}rPr><{p}sz val="9"/><{p}color indexed="81"/><{p}rFont val="Tahoma"/>'
        f'<{p}family val="2"/></{p}rPr><{p}t xml:space="preserve">{esc_text(text)}</{p}t></{p}r>'
    )


def build_comments(
    existing: str | None, notes: list[tuple[int, int, str]]
) -> tuple[str, set[tuple[int, int]]]:
    """The comments part with our notes merged in, and the cells that already had a note."""
    if existing is None:  # a new part: streamed like the VML

        def chunks() -> Iterator[str]:
            yield (XML_DECL + f'<comments xmlns="{NS_MAIN}"><authors><author>{NOTE_AUTHOR}'
                   "</author></authors><commentList>")
            for r, c, n in notes:
                yield (f'<comment ref="{col_letter(c)}{r}" authorId="0"><text>'
                       f'{_comment_run("", n)}</text></comment>')
            yield "</commentList></comments>"

        return Streamed(chunks), set()
    p, _, _ = part_root(existing)
    ep = re.escape(p)
    xml = existing
    # authors
    authors_m = re.search(rf"<{ep}authors\b[^>]*?(/?)>", xml)
    authors: list[str] = []
    if authors_m and not authors_m.group(1):
        end = xml.index(f"</{p}authors>", authors_m.end())
        inner = xml[authors_m.end() : end]
        authors = [
            unesc(a or "")
            for a in re.findall(rf"<{ep}author\b[^>]*?(?:/>|>(.*?)</{ep}author>)", inner, re.S)
        ]
    if NOTE_AUTHOR in authors:
        author_id = authors.index(NOTE_AUTHOR)
    else:
        author_id = len(authors)
        new_author = f"<{p}author>{NOTE_AUTHOR}</{p}author>"
        if authors_m:
            xml = append_children_at(xml, authors_m, p, "authors", new_author)
        else:
            root = part_root(xml)[2]
            xml = xml[: root.end()] + f"<{p}authors>{new_author}</{p}authors>" + xml[root.end() :]
    # comment list
    list_m = re.search(rf"<{ep}commentList\b[^>]*?(/?)>", xml)
    entries: list[tuple[tuple[int, int], str]] = []
    if list_m is None:
        xml = append_children(xml, p, "comments", f"<{p}commentList></{p}commentList>")
        list_m = re.search(rf"<{ep}commentList\b[^>]*?(/?)>", xml)
        assert list_m is not None
    if list_m.group(1):
        tag = list_m.group(0)[:-2] + ">"
        xml = xml[: list_m.start()] + tag + f"</{p}commentList>" + xml[list_m.end() :]
        list_start, list_end = list_m.start() + len(tag), list_m.start() + len(tag)
    else:
        list_start = list_m.end()
        list_end = xml.index(f"</{p}commentList>", list_start)
    inner = xml[list_start:list_end]
    for m in re.finditer(rf"<{ep}comment\b([^>]*)>.*?</{ep}comment>", inner, re.S):
        ref = get_attr(m.group(1), "ref") or "A1"
        entries.append((parse_ref(ref.split(":")[0]), m.group(0)))
    index = {key: i for i, (key, _) in enumerate(entries)}
    had_note: set[tuple[int, int]] = set()
    own_id = str(author_id) if NOTE_AUTHOR in authors else None
    for row, col, note in notes:
        key = (row, col)
        if key in index:  # merge into the note already on the cell
            had_note.add(key)
            i = index[key]
            entries[i] = (key, _renew_note(entries[i][1], p, note, own_id))
        else:
            entries.append(
                (
                    key,
                    f'<{p}comment ref="{col_letter(col)}{row}" authorId="{author_id}">'
                    f"<{p}text>{_comment_run(p, note)}</{p}text></{p}comment>",
                )
            )
    entries.sort(key=lambda e: e[0])
    xml = xml[:list_start] + "".join(e for _, e in entries) + xml[list_end:]
    return xml, had_note


_FINDING_LINE_RE = re.compile(r"\[[A-Z]+[0-9]+\] ")  # "[ID004] ...": a rule's finding


def _renew_note(comment: str, p: str, note: str, own_author: str | None) -> str:
    """A cell's note with ``note`` added, run after run without repeating itself.

    A note an earlier run wrote (our author) loses its findings ("[CODE] ...": this run
    found them afresh) and keeps its other lines (a merge's "Cũ: … → Mới: …"); a user's
    note gets only the lines it does not have yet."""
    ep = re.escape(p)
    old_lines = unesc("".join(re.findall(rf"<{ep}t\b[^>]*>(.*?)</{ep}t>", comment, re.S)))
    old_lines = old_lines.split("\n")
    head = re.match(rf"<{ep}comment\b([^>]*)>", comment)
    if own_author is not None and head and get_attr(head.group(1), "authorId") == own_author:
        kept = [x for x in old_lines if x.strip() and not _FINDING_LINE_RE.match(x)]
        lines = kept + [x for x in note.split("\n") if x not in kept]
        return (f"{head.group(0)}<{p}text>{_comment_run(p, chr(10).join(lines))}</{p}text>"
                f"</{p}comment>")
    missing = [x for x in note.split("\n") if x not in old_lines]
    return _append_note_text(comment, p, "\n".join(missing)) if missing else comment


def _append_note_text(comment: str, p: str, note: str) -> str:
    ep = re.escape(p)
    close = comment.rfind(f"</{p}text>")
    if close < 0:
        return comment
    text_inner = comment[:close]
    if re.search(rf"<{ep}r\b", text_inner):  # rich text: add a run
        return comment[:close] + _comment_run(p, "\n" + note) + comment[close:]
    t_close = text_inner.rfind(f"</{p}t>")
    if t_close >= 0:  # plain <t>: extend it, keep line breaks
        t_open = re.search(rf"<{ep}t\b[^>]*>", text_inner)
        out = comment[:t_close] + esc_text("\n" + note) + comment[t_close:]
        if t_open and "xml:space" not in t_open.group(0):
            preserved = set_attr(t_open.group(0), "xml:space", "preserve")
            out = out.replace(t_open.group(0), preserved, 1)
        return out
    run = f'<{p}t xml:space="preserve">{esc_text(note)}</{p}t>'
    return comment[:close] + run + comment[close:]

