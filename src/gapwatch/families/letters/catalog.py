"""The letter catalogue's template (``locale/letters.pot``), extracted from the letter's
template and :mod:`.render` with Babel. ``gapwatch docs letters-pot`` writes it; a test fails
when it is out of date. A translator copies it to ``locale/<lang>/LC_MESSAGES/letters.po``.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

ROOT = Path(__file__).parent
METHODS = [("render.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "gt": None, "N_": None}


def messages() -> list[str]:
    """Every message id of the letters, in order of appearance."""
    found = extract_from_dir(ROOT, METHODS, OPTIONS, keywords=KEYWORDS)
    return list(dict.fromkeys(m[2] for m in found if isinstance(m[2], str)))


def render_pot() -> str:
    catalog = Catalog(project="gapwatch family letters", charset="utf-8", fuzzy=False)
    for msg in messages():
        catalog.add(msg, flags=("python-format",) if "%(" in msg else ())
    buf = BytesIO()
    write_po(buf, catalog, omit_header=False, sort_output=False, width=0,
             include_lineno=False)
    text = buf.getvalue().decode("utf-8")
    # the header's creation date would change on every run: keep the file stable
    keep = [line for line in text.splitlines()
            if not line.startswith(('"POT-Creation-Date', "# Copyright", "# FIRST AUTHOR",
                                    "# This file is distributed"))]
    return "# Translations template of the gapwatch family letters: copy it to\n" \
        "# <lang>/LC_MESSAGES/letters.po and translate each msgstr.\n" + "\n".join(keep[1:]) + "\n"
