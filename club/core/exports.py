"""One CSV dialect for every export: what French Excel opens cleanly, and what a spreadsheet cannot execute.

``;`` between cells, CRLF between rows, UTF-8 with a byte-order mark, every cell passed through ``csv_safe``
(a cell starting with ``=``, ``+``, ``-``, ``@`` is never a formula). The rows are written whole *inside* the
request, while its database session and cursors live (a generator streamed after the view returned outlived
them: 500 on every non-empty list), into a spooled file: memory stays bounded (a few MB, then a temporary
file), and the file is sent in chunks.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable

from flask import Response

from club.core.text import csv_safe

DELIMITER = ";"
SPOOL_IN_MEMORY = 4 * 1024 * 1024
CHUNK = 64 * 1024


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A download of ``header`` then ``rows`` (consumed here, before returning)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+b")
    try:
        out = io.TextIOWrapper(spool, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
        out.write("\ufeff")
        writer.writerow([csv_safe(cell) for cell in header])
        for row in rows:
            writer.writerow([csv_safe(cell) for cell in row])
        out.detach()
    except BaseException:
        spool.close()
        raise
    spool.seek(0)

    def chunks():
        try:
            while chunk := spool.read(CHUNK):
                yield chunk
        finally:
            spool.close()

    response = Response(chunks(), mimetype="text/csv; charset=utf-8")
    response.call_on_close(spool.close)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
