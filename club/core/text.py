"""Text helpers shared by search, duplicates and imports."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str | None) -> str:
    """Lower-case, accent-free, single-spaced: "  Écа  GROUPE " -> "eca groupe"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


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
