"""The style sheets of every published page, kept as files in ``carejourneys/render/templates/``.

* ``report.css`` (:data:`CSS`): the parts of a report (banner, key findings, tables, figures, notes,
  quotes, annex, "About this page"); notebooks get it with the banner, pages in their head;
* ``page.css`` (:data:`PAGE_CSS`): the page around a report, the index pages and the footer;
* ``print.css`` (:data:`PRINT_CSS`): printing and the PDFs (A4, nothing cut, annex open).

Pages carry their style sheets inline (they load nothing from elsewhere). Kept apart from
:mod:`carejourneys.render.report` so that writing the index does not import pandas.
"""

from __future__ import annotations

import re
from importlib import resources

TEMPLATES = "templates"


def read(name: str) -> str:
    """A style sheet of the package (``report.css``, ``page.css`` or ``print.css``) without its comments."""
    text = resources.files("carejourneys.render").joinpath(TEMPLATES, name).read_text(encoding="utf-8")
    return re.sub(r"/\*.*?\*/\s*", "", text, flags=re.S).strip()


#: the parts of a report page
CSS = read("report.css")
#: the page around a report, index pages and footer
PAGE_CSS = read("page.css")
#: printing and PDFs
PRINT_CSS = read("print.css")


def style_elements() -> str:
    """The ``<style>`` elements of a published page's head (screen and print)."""
    return f"<style>{PAGE_CSS}\n{CSS}</style>\n<style media=\"print\">{PRINT_CSS}</style>"
