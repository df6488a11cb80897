"""Reports: the charts of the dashboard, the club's jobs target, activity reports for a period as PDF and XLSX
(built by the job queue), and the reports sent or scheduled to partner organisations (only what each may see)."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
