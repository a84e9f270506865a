"""[MS-OVBA] 2.4.1 compression and decompression (the "CompressedContainer").

VBA stores the ``dir`` stream and the source text of every module in this run-length
(LZ77-like) format: a signature byte 0x01, then chunks that each decode to 4096 bytes
(the last one to fewer). A chunk has a 2-byte header (size - 3 in bits 0-11, signature
0b011 in bits 12-14, "compressed" flag in bit 15) and either raw bytes or token sequences:
a flag byte, then eight tokens, each a literal byte (flag bit 0) or a 2-byte CopyToken
(flag bit 1) whose split between offset bits and length bits depends on how far into the
chunk the token sits (``_copy_token_help``, spec 2.4.1.3.19.1).

Why hand-written (about a hundred lines each way) instead of a dependency: no maintained,
permissively licensed package does this reliably. oletools only decompresses; the PyPI
packages that compress (ms-ovba-compression and friends) are small single-maintainer
projects, and one PyPI compression package is known to fail its own round-trip. The
format is short and fully specified, so it is written here against the spec and tested
against oletools' independent decompressor, the spec's worked example, and the
containers Excel itself wrote into the xlwings templates.

Encoders may choose any valid matches. This one takes the longest match in the chunk and
the nearest candidate on ties; Excel (and the spec's example) pick other, equally valid
matches, so the bytes differ from Excel's while decoding identically (ours are smaller).
"""

from __future__ import annotations

CHUNK_SIZE = 4096
"""Decompressed bytes per chunk; also the most data bytes a chunk may carry."""

_SIGNATURE = 0x01
_CHUNK_SIGNATURE = 0b011
_BLOCK = 64  # bytes compared at once while measuring a match


def _copy_token_help(position: int) -> tuple[int, int, int]:
    """(bit_count, length_mask, maximum_length) for a CopyToken ``position`` bytes into a chunk.

    The offset field gets ceil(log2(position)) bits (at least 4), the length field the
    rest of the 16 bits, so early tokens can copy long runs and late ones reach far back.
    """
    bit_count = max((position - 1).bit_length(), 4)
    length_mask = 0xFFFF >> bit_count
    return bit_count, length_mask, length_mask + 3


def _common_length(buf: bytes, a: int, b: int, limit: int) -> int:
    """Largest ``n <= limit`` with ``buf[a:a+n] == buf[b:b+n]`` (slice compares run in C).

    ``a < b`` and the ranges may overlap: that is exactly what a CopyToken may express,
    because the decompressor copies byte by byte from output it has just written.
    """
    n = 0
    while n < limit:
        k = min(_BLOCK, limit - n)
        if buf[a + n : a + n + k] == buf[b + n : b + n + k]:
            n += k
            continue
        while buf[a + n] == buf[b + n]:
            n += 1
        return n
    return n


def _compress_chunk(chunk: bytes) -> bytes | None:
    """CompressedChunkData for one chunk, or None when it would exceed 4096 bytes.

    Among all earlier positions in the chunk take the longest match (measured up to the
    chunk end, clamped to the token's maximum length afterwards), the nearest one on
    ties. A hash chain over 3-byte prefixes visits the same candidates an exhaustive
    backward scan would accept (matches under 3 bytes are never used), nearest first.
    """
    n = len(chunk)
    out = bytearray()
    chains: dict[bytes, list[int]] = {}
    indexed = 0  # every position below this is in ``chains``
    pos = 0
    while pos < n:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            while indexed < pos:
                if indexed + 3 <= n:
                    chains.setdefault(chunk[indexed : indexed + 3], []).append(indexed)
                indexed += 1
            remaining = n - pos
            best_len, best_cand = 0, -1
            if remaining >= 3:
                for cand in reversed(chains.get(chunk[pos : pos + 3], ())):
                    if best_len and chunk[cand + best_len] != chunk[pos + best_len]:
                        continue  # cannot beat the current best
                    length = _common_length(chunk, cand, pos, remaining)
                    if length > best_len:
                        best_len, best_cand = length, cand
                        if length == remaining:
                            break
            if best_len >= 3:
                bit_count, _, max_length = _copy_token_help(pos)
                length = min(best_len, max_length)
                token = ((pos - best_cand - 1) << (16 - bit_count)) | (length - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                pos += length
            else:
                out.append(chunk[pos])
                pos += 1
        out[flag_index] = flags
        if len(out) > CHUNK_SIZE:
            return None
    return bytes(out)


def compress(data: bytes, *, allow_raw: bool = True) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer.

    A chunk that does not shrink to at most 4096 bytes is stored raw (flag 0), as the spec
    says, with the spec's fixed size field (4098; oletools rejects any other). The spec pads
    a short final raw chunk with zeros, which would change the data; here it is stored
    unpadded (readers that stop at the end of the stream, like oletools, read it back
    exactly). ``allow_raw=False`` raises ValueError instead of writing any raw
    chunk: real VBA text always compresses, and Excel-written projects never contain raw
    chunks, so a builder of vbaProject.bin can insist on the common form.
    """
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        chunk = bytes(data[start : start + CHUNK_SIZE])
        body = _compress_chunk(chunk)
        if body is not None:
            header = 0x8000 | (_CHUNK_SIGNATURE << 12) | (len(body) + 2 - 3)
        else:
            if not allow_raw:
                raise ValueError(f"chunk at byte {start} does not compress; refusing a raw chunk")
            body = chunk
            header = (_CHUNK_SIGNATURE << 12) | (CHUNK_SIZE + 2 - 3)  # always 4098, per spec
        out += header.to_bytes(2, "little")
        out += body
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (spec 2.4.1.3.1), strictly.

    Raises ValueError on a bad signature, a truncated token, a CopyToken reaching before its
    chunk, or a chunk that is not the last but decodes to other than 4096 bytes. A final
    raw chunk may be shorter than 4096 bytes (see ``compress``).
    """
    if not container or container[0] != _SIGNATURE:
        raise ValueError("not a CompressedContainer: signature byte must be 0x01")
    out = bytearray()
    i = 1
    end_all = len(container)
    chunks = 0
    while i < end_all:
        if len(out) != chunks * CHUNK_SIZE:
            raise ValueError(f"chunk before byte {i} decoded to fewer than 4096 bytes")
        chunks += 1
        if i + 2 > end_all:
            raise ValueError("truncated chunk header")
        header = int.from_bytes(container[i : i + 2], "little")
        if (header >> 12) & 0b111 != _CHUNK_SIGNATURE:
            raise ValueError(f"bad chunk signature at byte {i}")
        chunk_end = min(i + (header & 0x0FFF) + 3, end_all)
        chunk_start = len(out)
        pos = i + 2
        if not header & 0x8000:
            chunk_end = min(pos + CHUNK_SIZE, end_all)
            out += container[pos:chunk_end]
            i = chunk_end
            continue
        while pos < chunk_end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not flags & (1 << bit):
                    out.append(container[pos])
                    pos += 1
                    continue
                if pos + 2 > chunk_end:
                    raise ValueError(f"truncated CopyToken at byte {pos}")
                token = int.from_bytes(container[pos : pos + 2], "little")
                pos += 2
                bit_count, length_mask, _ = _copy_token_help(len(out) - chunk_start)
                length = (token & length_mask) + 3
                offset = (token >> (16 - bit_count)) + 1
                src = len(out) - offset
                if src < chunk_start:
                    raise ValueError(f"CopyToken before its chunk at byte {pos - 2}")
                if offset >= length:
                    out += out[src : src + length]
                else:  # overlapping copy repeats the last ``offset`` bytes
                    pattern = bytes(out[src:])
                    out += (pattern * (length // offset + 1))[:length]
        if len(out) - chunk_start > CHUNK_SIZE:
            raise ValueError(f"chunk at byte {i} decodes to more than 4096 bytes")
        i = chunk_end
    return bytes(out)
