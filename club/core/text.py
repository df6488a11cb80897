"""Text helpers shared by search, duplicates and imports."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def fold(text: str | None) -> str:
    """Lower-case, accent-free, single-spaced: "  Écа  GROUPE " -> "eca groupe"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


# --- The same folding in SQL -------------------------------------------------------------------------------------
# ``folded(column)`` is ``fold(column)`` computed by the database, so a column with no folded copy can be searched
# the way the term is folded: on SQLite by ``fold`` itself (registered on each connection by ``club.database``),
# on PostgreSQL by ``lower`` and one ``translate`` derived from ``fold`` (every letter it turns into one letter),
# the ligatures replaced after. One definition of folding, in Python, for both.

_LOWER_LETTERS = [ch for ch in map(chr, range(0xC0, 0x250)) if ch.isalpha() and ch == ch.lower()]
TRANSLATE_FROM = "".join(ch for ch in _LOWER_LETTERS if len(fold(ch)) == 1 and fold(ch) != ch)
TRANSLATE_TO = "".join(fold(ch) for ch in TRANSLATE_FROM)
_LIGATURES = [(ch, fold(ch)) for ch in _LOWER_LETTERS if len(fold(ch)) > 1]


class folded(FunctionElement):  # noqa: N801 - reads as a function in queries: folded(Deal.title)
    """``fold(expression)`` in SQL (see above); compare it with ``fold(term)``."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded, "sqlite")
def _folded_sqlite(element, compiler, **kw):
    return f"club_fold({compiler.process(element.clauses, **kw)})"


@compiles(folded)
def _folded_postgresql(element, compiler, **kw):
    expression = (f"translate(lower({compiler.process(element.clauses, **kw)}), "
                  f"'{TRANSLATE_FROM}', '{TRANSLATE_TO}')")
    for ligature, letters in _LIGATURES:
        expression = f"replace({expression}, '{ligature}', '{letters}')"
    return expression


def contains_folded(expression, term: str):
    """``expression`` contains ``term`` once both are folded (LIKE, wildcards in the term escaped)."""
    return folded(expression).like(f"%{like_escape(fold(term))}%", escape="\\")


def like_escape(text: str, escape: str = "\\") -> str:
    """Escape LIKE wildcards so user input matches literally (use with ``escape='\\\\'``)."""
    return text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")


def has_line_break(text: str | None) -> bool:
    return bool(text) and ("\r" in text or "\n" in text)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """Neutralise spreadsheet formulas in a CSV cell."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
