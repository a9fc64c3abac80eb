"""XLSX imports are bounded by what they unpack to before openpyxl parses anything (issue 9,
point 12): crafted ZIPs (too many entries, a declared size beyond the bound, a ratio no
spreadsheet has) are refused with one file-level code; an ordinary XLSX is read."""
from __future__ import annotations

import io
import struct
import zipfile

import pytest
from openpyxl import Workbook

from shared.catalog import sheet


def ordinary_xlsx() -> bytes:
    book = Workbook()
    book.active.append(["Product ref", "Product name", "Price (yuan)"])
    book.active.append(["A1", "连衣裙", "99"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused_code(data: bytes) -> str:
    with pytest.raises(sheet.SheetRefused) as refused:
        sheet.read(data)
    return refused.value.code


def test_an_ordinary_xlsx_is_read():
    parsed = sheet.read(ordinary_xlsx())
    assert parsed.format == "xlsx" and parsed.rows == [(2, ["A1", "连衣裙", "99"])]


def test_too_many_entries_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(sheet.MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"xl/media/{i}.txt", b"")
    assert refused_code(out.getvalue()) == "import_unpacks_too_large"


def test_a_declared_size_beyond_the_bound_is_refused_without_unpacking():
    """The central directory says 200 MiB (zipfile would unpack up to that, then fail its CRC)."""
    data = bytearray(ordinary_xlsx())
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", 200 * 1024 * 1024)
    assert refused_code(bytes(data)) == "import_unpacks_too_large"


def test_a_ratio_no_spreadsheet_has_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (8 * 1024 * 1024))  # ~1000:1
    data = out.getvalue()
    assert len(data) < 100 * 1024
    assert refused_code(data) == "import_unpacks_too_large"


def test_the_refusal_names_no_row_or_column_in_either_language():
    from shared.i18n import message

    en = message("import_unpacks_too_large", "en", max_mb=100)
    zh = message("import_unpacks_too_large", "zh-CN", max_mb=100)
    assert "100 MB" in en and "100 MB" in zh
    assert not any(w in en.lower() for w in ("row", "column")) and not any(w in zh for w in ("行", "列"))
