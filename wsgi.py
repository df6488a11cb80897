"""WSGI entry point: ``gunicorn wsgi:app``, ``flask --app wsgi ...``."""

from club import create_app

app = create_app()
