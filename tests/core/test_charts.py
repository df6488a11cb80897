"""The chart machinery (club/core/charts.py): a picture and its table are drawn once per process for what they
show, in the reader's language, and a change of figures draws a new one."""

from __future__ import annotations

from flask_babel import force_locale

from club.core.charts import Chart, Series


def _chart(values, title="Emplois créés"):
    return Chart(title=title, description="Emplois par mois", labels=["janv.", "févr."],
                 series=[Series("Créés", values)])


def test_the_same_figures_share_one_picture_and_table_and_new_figures_get_their_own(app):
    with app.test_request_context(), force_locale("fr"):
        first, again, other = _chart([1200, 3400]), _chart([1200, 3400]), _chart([1200, 3401])
        assert first.svg is again.svg and first.table_rows is again.table_rows  # drawn once
        assert other.svg != first.svg
        assert [row[1] for row in other.table_rows] == ["1\u202f200", "3\u202f401"]
        assert _chart([1200, 3400], title="Autre titre").svg != first.svg
        french_svg = first.svg
    with app.test_request_context(), force_locale("en"):
        english = _chart([1200, 3400])
        assert [row[1] for row in english.table_rows] == ["1,200", "3,400"]
        assert english.svg != french_svg  # the axis is written in the reader's language
