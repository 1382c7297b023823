"""PDFs of the pages (``carejourneys build --pdf``): headless Chromium, A4, every section and the
annex in them. Tests that print are skipped without Chromium or without a way to read PDFs."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from carejourneys.publish import pdf
from carejourneys.publish.html import page


def _pdf_text(path: Path) -> str:
    """The text of a PDF (pypdf when installed, else poppler's pdftotext); skips without either."""
    try:
        from pypdf import PdfReader
    except ImportError:
        tool = shutil.which("pdftotext")
        if tool is None:
            pytest.skip("neither pypdf nor pdftotext (poppler-utils) is installed")
        return subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    return "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


needs_chromium = pytest.mark.skipif(pdf.find_chromium() is None, reason="Chromium is not installed")


def test_printing_opens_every_collapsed_section():
    src = ('<details class="cj-annex"><summary>A</summary>x</details>'
           "<details open><summary>B</summary></details>")
    out = pdf.printable(src)
    assert out.count("<details open") == 2 and "open open" not in out


def test_chromium_runs_without_network_services_or_a_profile_of_its_own(tmp_path):
    cmd = pdf.chromium_command("/usr/bin/chromium", "file:///x.html", tmp_path / "x.pdf", tmp_path / "p")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'p'}",
                 f"--print-to-pdf={tmp_path / 'x.pdf'}"):
        assert flag in cmd
    assert cmd[-1] == "file:///x.html"


def test_without_chromium_the_message_says_how_to_get_it(tmp_path, monkeypatch):
    page_file = tmp_path / "p.html"
    page_file.write_bytes(page("<h1>T</h1>", title="T"))
    monkeypatch.setenv(pdf.ENV_CHROMIUM, str(tmp_path / "no-chromium-here"))
    with pytest.raises(pdf.PdfUnavailable, match="apt-get install chromium"):
        pdf.write_pdf(page_file, tmp_path / "p.pdf")
    with pytest.raises(pdf.PdfUnavailable):
        pdf.write_pdfs([page_file])
    assert not (tmp_path / "p.pdf").exists()


def test_build_refuses_pdf_without_chromium(tmp_path, monkeypatch):
    from carejourneys.errors import BuildError
    from carejourneys.publish import build

    monkeypatch.setenv(pdf.ENV_CHROMIUM, str(tmp_path / "no-chromium-here"))
    with pytest.raises(BuildError, match="Chromium"):
        build.run(outputs=tmp_path / "out", pdf=True, quiet=True)
    assert not (tmp_path / "out").exists()  # refused before anything ran


@needs_chromium
def test_a_page_prints_to_a_pdf_with_every_section_and_the_annex(tmp_path):
    sections = ["Key findings", "Before and after", "What young people said", "Technical annex"]
    rows = "".join(f"<tr><th scope='row'>row {i}</th><td>{i}</td></tr>" for i in range(40))
    body = (f"<h1>Outcomes for young people — Plymouth</h1>"
            f"<section class='cj-findings'><h2>{sections[0]}</h2><ul><li>Most improved (n = 15)</li></ul>"
            "</section>"
            f"<h2>{sections[1]}</h2><p>Text.</p><h2>{sections[2]}</h2><p>More text.</p>"
            f"<h2>{sections[3]}</h2><details class='cj-annex'><summary>Statistical tests</summary>"
            f"<div class='cj-table'><table><caption>Annexed zebrafish table</caption><tbody>{rows}</tbody>"
            "</table></div></details>")
    source = tmp_path / "page.html"
    source.write_bytes(page(body, title="Outcomes for young people", subtitle="Plymouth"))
    out = pdf.write_pdf(source, tmp_path / "site" / "page.pdf")
    assert out == tmp_path / "site" / "page.pdf" and out.read_bytes().startswith(b"%PDF")
    text = _words(_pdf_text(out))
    for heading in ["Outcomes for young people — Plymouth", *sections]:
        assert heading in text, heading
    assert "Annexed zebrafish table" in text and "row 39" in text  # the collapsed annex is printed open
    assert not list((tmp_path / "site").glob(".*"))  # nothing left over beside it
    # beside the page, and printed again only when the page is newer than its PDF
    assert pdf.write_pdfs([source]) == [tmp_path / "page.pdf"] and pdf.write_pdfs([source]) == []


@needs_chromium
@pytest.mark.slow
def test_a_built_report_prints_with_every_heading(full_build, tmp_path):
    pages = [p for p in sorted(full_build.out.glob("*/*.html")) if p.name != "index.html"]
    assert pages
    source = next((p for p in pages if p.name.startswith("01_")), pages[0])
    out = pdf.write_pdf(source, tmp_path / "report.pdf")
    text = _words(_pdf_text(out))
    raw = source.read_text(encoding="utf-8")
    headings = [_words(html.unescape(re.sub(r"<[^>]+>|¶", "", h)))
                for h in re.findall(r"<h[1-3]\b[^>]*>(.*?)</h[1-3]>", raw, re.S)]
    assert headings
    missing = [h for h in headings if h and h not in text]
    assert missing == [], f"{source.name}: headings not in the PDF: {missing}"
