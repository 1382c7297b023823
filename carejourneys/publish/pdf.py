"""PDFs of published pages, printed by headless Chromium with the pages' print style sheet.

    write_pdf("outputs/plymouth/01_young_people_outcomes.html", "outputs/plymouth/01.pdf")

The page is printed as a reader would print it (A4, every collapsed section open, each main
section on a new page; see ``carejourneys/render/templates/print.css``). Chromium runs with a
throw-away profile, no network services, no first-run screens and no sandbox (it may run as root
in a container). Without Chromium :class:`PdfUnavailable` says how to install it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

#: where Chromium is looked for, in order (``$CAREJOURNEYS_CHROMIUM`` first)
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENV_CHROMIUM = "CAREJOURNEYS_CHROMIUM"
#: seconds a page may take to print
TIMEOUT = 120
#: what is said when there is no Chromium
MISSING = (f"PDFs need Chromium, which was not found: install it (Debian or Ubuntu: 'apt-get install "
           f"chromium'; elsewhere Chrome or Chromium) or give its path in ${ENV_CHROMIUM}")
_DETAILS = re.compile(r"<details\b(?![^>]*\bopen\b)", re.I)


class PdfUnavailable(RuntimeError):
    """No Chromium to print with."""


def find_chromium() -> str | None:
    """The Chromium executable to print with, or None."""
    chosen = os.environ.get(ENV_CHROMIUM)
    if chosen:
        return chosen if Path(chosen).is_file() else shutil.which(chosen)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(chromium: str, page_url: str, pdf_path: Path, profile: Path) -> list[str]:
    """The command line that prints ``page_url`` to ``pdf_path`` (no header or footer of Chromium's own)."""
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-default-apps", "--mute-audio", "--disable-dev-shm-usage",
            f"--user-data-dir={profile}", "--no-pdf-header-footer", "--print-to-pdf-no-header",
            f"--print-to-pdf={pdf_path}", page_url]


def printable(page: str) -> str:
    """``page`` with every ``<details>`` open (the print style sheet opens them too; this also works
    in a Chromium without ``::details-content``)."""
    return _DETAILS.sub("<details open", page)


def write_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, *, chromium: str | None = None,
              timeout: int = TIMEOUT) -> Path:
    """Print the page ``html_path`` to ``pdf_path`` (A4) with headless Chromium; returns ``pdf_path``.

    The PDF is written next to its final place and moved there when complete, so a failed print
    leaves any earlier PDF as it was. Raises :class:`PdfUnavailable` without Chromium, and
    RuntimeError when Chromium fails (with what it printed).
    """
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    if not html_path.is_file():
        raise FileNotFoundError(f"no page to print at {html_path}")
    exe = chromium or require_chromium()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cj-pdf-") as tmp:
        tmp_dir = Path(tmp)
        page = tmp_dir / "page.html"  # the page's images are inline: it prints the same from here
        page.write_text(printable(html_path.read_text(encoding="utf-8")), encoding="utf-8")
        out = tmp_dir / "page.pdf"
        cmd = chromium_command(exe, page.resolve().as_uri(), out, tmp_dir / "profile")
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"Chromium took more than {timeout} s to print {html_path.name}") from None
        except OSError as e:
            raise PdfUnavailable(f"cannot run Chromium ({exe}): {e.strerror}") from None
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            said = (done.stderr or done.stdout or "").strip().splitlines()[-5:]
            raise RuntimeError(f"Chromium could not print {html_path.name} (exit {done.returncode}): "
                               + " | ".join(said))
        partial = pdf_path.with_name(f".{pdf_path.name}.tmp")  # swept by the next build if left over
        shutil.copyfile(out, partial)
        os.replace(partial, pdf_path)
    return pdf_path


def pdf_path_for(html_path: str | os.PathLike) -> Path:
    """Where the PDF of a page goes: beside it, ``<report>.pdf``."""
    return Path(html_path).with_suffix(".pdf")


def require_chromium() -> str:
    """The Chromium to print with; :class:`PdfUnavailable` (saying how to get it) when there is none."""
    exe = find_chromium()
    if exe is None:
        raise PdfUnavailable(MISSING)
    return exe


def write_pdfs(pages: Iterable[str | os.PathLike], *, say: Callable[[str], None] = print) -> list[Path]:
    """A PDF beside each page (``outputs/<site>/<report>.pdf``) that has none or an older one than
    its page; returns the PDFs written. A page Chromium fails to print is reported through ``say``
    and skipped; without Chromium :class:`PdfUnavailable` is raised before anything is printed."""
    exe = require_chromium()
    written = []
    for page in pages:
        page = Path(page)
        target = pdf_path_for(page)
        if target.is_file() and target.stat().st_mtime >= page.stat().st_mtime:
            continue  # printed from this very page already
        try:
            written.append(write_pdf(page, target, chromium=exe))
        except (RuntimeError, OSError) as e:
            say(f"  PDF not written for {page.parent.name}/{page.name}: {e}")
    return written
