"""Exports: rows to CSV or XLSX, stored in the media bucket under ``exports/<shop>/`` and
handed out as a short-lived download URL (API Gateway answers are limited to 10 MB; a file in
S3 is not). Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start)
are neutralised with a leading apostrophe (OWASP's advice against CSV injection). CSV is
written with a UTF-8 BOM so Excel opens Chinese text correctly.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import Field

from shared.aws import client
from shared.config import settings
from shared.ids import new_id
from shared.model import Model

Format = Literal["csv", "xlsx"]
URL_EXPIRES = 900
_RISKY = ("=", "+", "-", "@", "\t", "\r")
_TYPES = {"csv": "text/csv; charset=utf-8",
          "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ExportFile(Model):
    url: str
    filename: str
    rows: int
    format: Format
    expires_in: int = Field(URL_EXPIRES, description="Seconds the URL stays valid")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_RISKY):
        return "'" + value
    return value


def render(header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: Format) -> tuple[bytes, int]:
    count = 0
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
            count += 1
        return ("\ufeff" + out.getvalue()).encode("utf-8"), count
    from openpyxl import Workbook  # imported on use: openpyxl is large

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count


def put(shop_id: str, filename: str, body: bytes, fmt: Format) -> str:
    """Store a file under ``exports/<shop>/``; answers its key (sign a URL later with ``url``)."""
    key = f"exports/{shop_id}/{filename}"
    client("s3").put_object(Bucket=settings().media_bucket, Key=key, Body=body, ContentType=_TYPES[fmt],
                            ContentDisposition=f'attachment; filename="{filename}"')
    return key


def url(key: str, expires: int = URL_EXPIRES) -> str:
    """A presigned GET of a stored file, signed for browsers (the public endpoint)."""
    return str(client("s3", settings().media_public_endpoint).generate_presigned_url(
        "get_object", Params={"Bucket": settings().media_bucket, "Key": key}, ExpiresIn=expires))


def store(shop_id: str, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: Format,
          ) -> tuple[str, str, int]:
    """Render and store; answers (key, filename, rows)."""
    body, count = render(header, rows, fmt)
    filename = f"{name}-{new_id()[-8:].lower()}.{fmt}"
    return put(shop_id, filename, body, fmt), filename, count


def publish(shop_id: str, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: Format) -> ExportFile:
    key, filename, count = store(shop_id, name, header, rows, fmt)
    return ExportFile(url=url(key), filename=filename, rows=count, format=fmt)
