"""The club's one CSV dialect (club.core.exports): what French Excel opens, what a spreadsheet cannot execute."""

from __future__ import annotations

import csv
import io

from club.core.exports import csv_response


def test_one_dialect_formulas_neutralised_rows_read_before_the_response_leaves(app):
    read = []

    def rows():
        for i in range(3):
            read.append(i)
            yield (f"=cmd|' /C calc'!A{i}", "Société ; Oujda", i, None)

    with app.test_request_context():
        response = csv_response("x.csv", ["Nom", "Ville", "n", "vide"], rows())
        assert read == [0, 1, 2]  # consumed in the request, while its session lives
        body = b"".join(response.response)
    assert response.headers["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # said once (it was said twice)
    assert body.startswith("\ufeff".encode()) and body.count(b"\r\n") == 4
    parsed = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert parsed[0] == ["Nom", "Ville", "n", "vide"]
    assert parsed[1] == ["'=cmd|' /C calc'!A0", "Société ; Oujda", "0", ""]
