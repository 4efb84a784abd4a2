"""Reading a zip upload (.docx, .pptx, .xlsx) without trusting the sizes its headers claim.

A zip's central directory says how large each entry unpacks; a crafted file says 1 KiB for an
entry that inflates to 1 GiB. Python's zipfile reads `read()` in one call to zlib with no
output limit, so python-docx, python-pptx and openpyxl would hold the whole gigabyte (about
2 GB of memory for one such upload). `check_zip` inflates every entry itself, 64 KiB at a
time, counting the bytes that really come out, and refuses the file as soon as an entry gives
more than its header says, the entries more than `max_total`, more than `max_entries` entries,
or an entry inflates more than `max_ratio` times its compressed size past the first MiB.
After it passes, the libraries' reads are bounded by the (now true) header sizes.

Memory: the upload itself plus a few 64 KiB buffers (measured in tests/test_safe_zip.py).
Pure: no Flask, no database.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

#: what the entries of one file may unpack to, in all
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 5000
#: XML compresses well (20 to 50 times); a thousand times is a bomb
MAX_RATIO = 500
_RATIO_FROM = 1024 * 1024
_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


class ZipRefused(ValueError):
    """A zip the app will not open; str() is a Japanese message for the person."""


def check_zip(data: bytes, max_total: int = MAX_TOTAL_BYTES, max_entries: int = MAX_ENTRIES,
              max_ratio: int = MAX_RATIO) -> None:
    """Raise ZipRefused unless every entry of the zip in data inflates to what its header says,
    within the limits. zipfile.BadZipFile for a file that is no zip at all."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    if len(infos) > max_entries:
        raise ZipRefused(f"ファイルの中の項目が多すぎます（{max_entries}個まで）。")
    view, total = memoryview(data), 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ZipRefused("パスワード付き（暗号化）のファイルは登録できません。")
        if info.file_size > max_total - total:
            raise ZipRefused(f"展開すると大きすぎるファイルです（{max_total // (1024 * 1024)}MB まで）。")
        real = _inflated_size(view, info, min(info.file_size, max_total - total), max_ratio)
        if real != info.file_size:
            raise ZipRefused("ファイルの中身が、記録された大きさと合いません（壊れているか、細工されたファイルです）。")
        total += real


def _inflated_size(view: memoryview, info: zipfile.ZipInfo, limit: int, max_ratio: int) -> int:
    """The bytes the entry really inflates to, counted 64 KiB at a time; refused past limit + 1."""
    start = _data_start(view, info)
    raw = view[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        return len(raw)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ZipRefused("この圧縮形式のファイルは読めません。Office で保存し直してください。")
    inflater, count = zlib.decompressobj(-15), 0
    try:
        for offset in range(0, len(raw), _CHUNK):
            pending = raw[offset:offset + _CHUNK]
            while pending:
                out = inflater.decompress(pending, _CHUNK)
                count += len(out)
                pending = inflater.unconsumed_tail
                if count > limit:
                    return count  # more than the header says (or than is left): refused by the caller
                if count > _RATIO_FROM and count > max_ratio * max(1, offset + _CHUNK):
                    raise ZipRefused(f"展開すると極端に大きくなるファイルです（圧縮率 {max_ratio} 倍まで）。")
            if inflater.eof:
                break
        while not inflater.eof and (out := inflater.decompress(b"", _CHUNK)):
            count += len(out)
            if count > limit:
                return count
    except zlib.error:
        raise ZipRefused("ファイルが壊れていて読めません。元のアプリで開いて保存し直してください。") from None
    return count


def _data_start(view: memoryview, info: zipfile.ZipInfo) -> int:
    """Where the entry's compressed bytes begin: after its local header, name and extra field."""
    header = bytes(view[info.header_offset:info.header_offset + _LOCAL_HEADER.size])
    if len(header) < _LOCAL_HEADER.size:
        raise ZipRefused("ファイルが壊れていて読めません。元のアプリで開いて保存し直してください。")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != b"PK\x03\x04":
        raise ZipRefused("ファイルが壊れていて読めません。元のアプリで開いて保存し直してください。")
    return info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10]
