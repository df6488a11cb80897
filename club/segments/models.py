"""The tables of segments."""

from __future__ import annotations
