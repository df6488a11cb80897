"""The reports' tasks: build a report run (PDF and XLSX), and the periodic check of the schedules."""

from __future__ import annotations
