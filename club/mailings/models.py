"""The tables of mailings."""

from __future__ import annotations
