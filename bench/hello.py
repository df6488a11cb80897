"""The ceiling: a minimal Flask hello world, served like Club (``gunicorn -w 2 -k sync``) in the same run."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
