"""The tables of activities."""

from __future__ import annotations
