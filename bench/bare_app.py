"""The "bare Flask + Jinja" ceiling: one route rendering the article page's exact bytes.

Run by bench/run.py under gunicorn (2 sync workers) as ``bare_app:app`` with
``BENCH_BARE_BODY`` naming a file that holds the article page as the real app
served it. No database, no plugins, no middleware: the cost of Flask's request
cycle plus one Jinja render of the same-sized page.
"""

import os
from pathlib import Path

from flask import Flask, render_template_string

BODY = Path(os.environ["BENCH_BARE_BODY"]).read_text(encoding="utf-8")

app = Flask(__name__)


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def page(path: str) -> str:
    return render_template_string("{{ body|safe }}", body=BODY)
