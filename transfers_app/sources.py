"""The file of an import: stored in chunks as it arrives, checked as it is stored, read back row by row.

:func:`stage` reads the upload piece by piece (a request body or an uploaded file), writes it to
``ImportChunk`` rows of ``IMPORT_CHUNK_BYTES`` and parses it on the way: the CSV header, the quoting
of every row, the number of rows. Nothing holds the whole file: the request's pieces, one chunk
and one parsed row at a time. A file that is too large, not UTF-8, or broken CSV is refused (413,
400) and, as staging runs in the POST's transaction, nothing of it is kept.

:func:`rows` reads a staged file back from its chunks (one at a time) and yields ``(row number,
payload)``: a CSV row's cells, or an NDJSON line. Row 1 is the first record of the file (a CSV
header is not counted; blank NDJSON lines are skipped), in staging and in reading alike, so a
job resumed after row N skips exactly the rows it already committed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from api_common.errors import BadRequest, PayloadTooLarge
from transfers_app import conf
from transfers_app.models import ImportChunk

__all__ = ["FORMATS", "PieceReader", "Staged", "rows", "stage"]

#: Formats an import reads.
FORMATS = ("csv", "ndjson")
#: The longest CSV cell read (the csv module's limit is 128 KiB; a field holds at most MAX_FIELD_VALUE_BYTES).
CSV_FIELD_LIMIT = 4 * 1024 * 1024
BROKEN_CSV = (
    "Fields that hold commas, quotes or line breaks must be quoted, and quotes inside them doubled "
    '(e.g. "Smith, ""Jr"""'
)


class PieceReader(io.RawIOBase):
    """A readable binary stream over an iterator of byte strings (chunks, request pieces)."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self.pieces = iter(pieces)
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            piece = next(self.pieces, None)
            if piece is None:
                return 0
            self.pending = piece
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def text_of(pieces: Iterable[bytes]) -> io.TextIOWrapper:
    """The pieces as UTF-8 text (a byte-order mark dropped), line endings kept for the csv module."""
    return io.TextIOWrapper(io.BufferedReader(PieceReader(pieces), 64 * 1024), encoding="utf-8-sig", newline="")


def csv_reader(text: io.TextIOWrapper) -> Any:
    """The csv module's reader, strict about quoting."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return csv.reader(text, strict=True)


@dataclass
class Staged:
    """What staging learnt of the file."""

    header: list[str] | None
    total_rows: int
    size_bytes: int
    chunk_count: int


class ChunkWriter:
    """Store pieces as ``ImportChunk`` rows of ``IMPORT_CHUNK_BYTES``; refuse a file past ``IMPORT_MAX_BYTES``."""

    def __init__(self, workspace_id: Any, job_id: Any) -> None:
        self.workspace_id, self.job_id = workspace_id, job_id
        self.buffer = bytearray()
        self.size = self.count = 0
        self.limit, self.chunk = conf.max_bytes(), conf.chunk_bytes()

    def tee(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """Yield the pieces, storing each full chunk on the way."""
        for piece in pieces:
            self.size += len(piece)
            if self.size > self.limit:
                raise PayloadTooLarge(
                    f"The file is larger than {self.limit} bytes (IMPORT_MAX_BYTES); split it into smaller files"
                )
            self.buffer += piece
            while len(self.buffer) >= self.chunk:
                self.flush(self.chunk)
            yield piece
        self.flush(len(self.buffer))

    def flush(self, size: int) -> None:
        """Store the first ``size`` buffered bytes as the next chunk."""
        if not size:
            return
        ImportChunk.objects.create(
            workspace_id=self.workspace_id, job_id=self.job_id, seq=self.count, data=bytes(self.buffer[:size])
        )
        del self.buffer[:size]
        self.count += 1


def stage(workspace_id: Any, job_id: Any, format: str, pieces: Iterable[bytes]) -> Staged:
    """Store the file of job ``job_id`` and check it; raise 400/413 (the caller's transaction rolls back)."""
    writer = ChunkWriter(workspace_id, job_id)
    text = text_of(writer.tee(pieces))
    header: list[str] | None = None
    total = 0
    try:
        if format == "csv":
            reader = csv_reader(text)
            header = next(reader, None)
            if not header or header == [""]:
                raise BadRequest("The CSV file is empty: its first line must be a header naming the columns")
            header = [name.strip() for name in header]
            try:
                for cells in reader:
                    total += 1 if cells else 0  # a blank line is no row
            except csv.Error as error:
                raise BadRequest(
                    f"The CSV file is broken at line {reader.line_num} (row {total + 1}): {error}. {BROKEN_CSV}"
                ) from None
        else:
            for line in text:
                if line.strip():
                    total += 1
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        raise BadRequest(
            f"The file must be UTF-8 text: it holds byte 0x{byte:02x}, which UTF-8 cannot decode"
        ) from None
    except csv.Error as error:  # the header itself
        raise BadRequest(f"The CSV file is broken at line 1 (the header): {error}. {BROKEN_CSV}") from None
    return Staged(header, total, writer.size, writer.count)


def chunks(workspace_id: Any, job_id: Any, count: int) -> Iterator[bytes]:
    """The stored chunks of a job in order, one query each (one chunk in memory at a time)."""
    for seq in range(count):
        data = (
            ImportChunk.objects.filter(workspace_id=workspace_id, job_id=job_id, seq=seq)
            .values_list("data", flat=True)
            .first()
        )
        if data is None:
            raise RuntimeError(f"chunk {seq} of import {job_id} is missing")
        yield bytes(data)


def rows(workspace_id: Any, job_id: Any, count: int, format: str) -> Iterator[tuple[int, Any]]:
    """``(row number, cells or line)`` of a staged file, in order (see the module docstring)."""
    text = text_of(chunks(workspace_id, job_id, count))
    if format == "csv":
        reader = csv_reader(text)
        next(reader, None)  # the header, kept on the job
        # Blank lines (an editor's last newline) are no rows, as in NDJSON.
        for number, cells in enumerate((cells for cells in reader if cells), start=1):
            yield number, cells
        return
    number = 0
    for line in text:
        if line.strip():
            number += 1
            yield number, line
