"""read_qdpx on what real tools write: position policies (NVivo UTF-16/CRLF/BOM, ATLAS.ti CRLF as one),
container quirks (root .qde in any case, Sources/ or sources/, BOM, inline text, bare and relative paths,
missing files)."""

from __future__ import annotations

import uuid
import warnings
import zipfile
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs.loaders import read_qdpx

NS = "urn:QDA-XML:project:1.0"
CODE = "11111111-1111-1111-1111-111111111111"

#: written with CRLF line ends and characters outside the Basic Multilingual Plane
LF_TEXT = ("Q: How did the group go? 😀\nA: It gave me people to talk to 🎉 every week.\n"
           "Q: And the workers?\nA: They listened, mostly. 👍🏽 Thanks.")
CRLF_TEXT = LF_TEXT.replace("\n", "\r\n")
PHRASES = ["It gave me people to talk to 🎉 every week.", "They listened, mostly. 👍🏽 Thanks.",
           "How did the group go? 😀"]


def _g(k: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, k)).upper()


def _utf16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


def _qde(origin: str, selections: list[tuple[int, int, str | None]], path: str = "internal://doc.txt",
         inline: str | None = None, extra: str = "") -> bytes:
    sels = []
    for k, (s, e, name) in enumerate(selections):
        name_attr = f" name={quoteattr(name)}" if name is not None else ""
        sels.append(f'<PlainTextSelection guid="{_g(f"sel{k}")}"{name_attr} startPosition="{s}" '
                    f'endPosition="{e}"><Coding guid="{_g(f"cod{k}")}"><CodeRef targetGUID="{CODE}"/>'
                    "</Coding></PlainTextSelection>")
    content = f"<PlainTextContent>{inline}</PlainTextContent>" if inline is not None else ""
    path_attr = f' plainTextPath="{path}"' if path else ""
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="t" origin="{origin}">'
           f'<CodeBook><Codes><Code guid="{CODE}" name="Enablers" isCodable="true"/></Codes></CodeBook>'
           f'<Sources><TextSource guid="{_g("src")}" name="doc"{path_attr}>{content}{"".join(sels)}'
           f"</TextSource>{extra}</Sources></Project>")
    return xml.encode("utf-8")


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _spans(proj):
    s = proj.segments
    return sorted(zip(s["start"], s["end"], s["text"], strict=True))


def _expected():
    return [(LF_TEXT.index(p), LF_TEXT.index(p) + len(p), p) for p in PHRASES]


@pytest.mark.parametrize("with_names", [True, False])
def test_nvivo_utf16_crlf_bom_positions_are_normalised(tmp_path, with_names):
    sels = []
    for p in PHRASES:
        i = CRLF_TEXT.index(p)
        sels.append((_utf16(CRLF_TEXT, i), _utf16(CRLF_TEXT, i + len(p)), p if with_names else None))
    qde = _qde("NVivo 14.23 (Windows)", sels)
    path = _zip(tmp_path / "nvivo.qdpx", {"Trial.qde": b"\xef\xbb\xbf" + qde,
                                         "Sources/doc.txt": b"\xef\xbb\xbf" + CRLF_TEXT.encode("utf-8")})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # the guess from @origin fits: no warning
        proj = read_qdpx(path)
    seg = proj.segments.sort_values("start")
    got = list(zip(seg["start"], seg["end"], seg["text"], strict=True))
    assert got == sorted(_expected())
    assert proj.texts["doc"] == LF_TEXT
    pos = proj.positions.iloc[0]
    assert pos["policy"] == pos["origin_policy"] == "utf16"
    assert pos["name_matches"] == (3 if with_names else 0)
    assert pos["inexact"] == 0


def test_unknown_origin_with_utf16_positions_is_detected_from_names(tmp_path):
    sels = [(_utf16(CRLF_TEXT, CRLF_TEXT.index(p)), _utf16(CRLF_TEXT, CRLF_TEXT.index(p) + len(p)), p)
            for p in PHRASES]
    path = _zip(tmp_path / "x.qdpx", {"project.qde": _qde("SomeTool 1.0", sels),
                                     "sources/doc.txt": CRLF_TEXT.encode("utf-8")})
    with pytest.warns(DataWarning, match="utf16"):
        proj = read_qdpx(path)
    assert _spans(proj) == sorted(_expected())
    assert proj.positions.iloc[0]["policy"] == "utf16"
    assert "better" in proj.positions.iloc[0]["note"]


def test_atlasti_counts_crlf_as_one(tmp_path):
    sels = [(LF_TEXT.index(p), LF_TEXT.index(p) + len(p), p) for p in PHRASES]  # code points over LF text
    path = _zip(tmp_path / "a.qdpx", {"PROJECT.QDE": _qde("ATLAS.ti 23.1 Windows", sels),
                                     "sources/doc.txt": CRLF_TEXT.encode("utf-8")})
    proj = read_qdpx(path)
    assert _spans(proj) == sorted(_expected())
    assert proj.positions.iloc[0]["policy"] == "codepoints_crlf1"


def test_standard_code_points_over_crlf_text(tmp_path):
    sels = [(CRLF_TEXT.index(p), CRLF_TEXT.index(p) + len(p), p) for p in PHRASES]
    path = _zip(tmp_path / "s.qdpx", {"project.qde": _qde("MAXQDA 2022", sels),
                                     "sources/doc.txt": CRLF_TEXT.encode("utf-8")})
    proj = read_qdpx(path)
    assert _spans(proj) == sorted(_expected())
    assert proj.positions.iloc[0]["policy"] == "codepoints"


def test_forced_policy(tmp_path):
    sels = [(CRLF_TEXT.index(p), CRLF_TEXT.index(p) + len(p), None) for p in PHRASES]
    path = _zip(tmp_path / "s.qdpx", {"project.qde": _qde("NVivo 12", sels),
                                     "sources/doc.txt": CRLF_TEXT.encode("utf-8")})
    proj = read_qdpx(path, policy="codepoints")
    assert sorted(proj.segments["text"]) == sorted(PHRASES)


def test_inline_text_bare_path_and_relative_path(tmp_path):
    sels = [(LF_TEXT.index(p), LF_TEXT.index(p) + len(p), None) for p in PHRASES]
    inline = _qde("x", sels, path="", inline=LF_TEXT.replace("&", "&amp;"))
    (tmp_path / "inline.qde").write_bytes(inline)
    assert sorted(read_qdpx(tmp_path / "inline.qde").segments["text"]) == sorted(PHRASES)
    for ref in ("doc.txt", "relative:///doc.txt"):
        p = _zip(tmp_path / "b.qdpx", {"project.qde": _qde("x", sels, path=ref),
                                      "sources/doc.txt": LF_TEXT.encode()})
        assert sorted(read_qdpx(p).segments["text"]) == sorted(PHRASES)
    # a bare .qde next to a sources/ folder
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doc.txt").write_bytes(LF_TEXT.encode())
    (tmp_path / "bare.qde").write_bytes(_qde("x", sels, path="internal://doc.txt"))
    assert sorted(read_qdpx(tmp_path / "bare.qde").segments["text"]) == sorted(PHRASES)


def test_missing_source_file_warns_and_goes_on(tmp_path):
    sels = [(0, 5, None)]
    p = _zip(tmp_path / "m.qdpx", {"project.qde": _qde("x", sels)})
    with pytest.warns(DataWarning, match="not found"):
        proj = read_qdpx(p)
    assert len(proj.segments) == 1 and proj.segments["text"].isna().all()
    assert proj.segments.loc[0, "start"] == 0


def test_cases_sets_and_source_variables(tmp_path):
    var_g, var2_g, case_g = _g("v"), _g("v2"), _g("case")
    head = (f'<Variables><Variable guid="{var_g}" name="Role" typeOfVariable="Text"/>'
            f'<Variable guid="{var2_g}" name="wave" typeOfVariable="Integer"/></Variables>'
            f'<Cases><Case guid="{case_g}" name="P9"><VariableValue><VariableRef targetGUID="{var_g}"/>'
            f'<TextValue>Manager</TextValue></VariableValue><SourceRef targetGUID="{_g("src")}"/></Case>'
            "</Cases>")
    sets = (f'<Sets><Set guid="{_g("set")}" name="site: brent"><MemberSource targetGUID="{_g("src")}"/></Set>'
            "</Sets>")
    xml = _qde("x", [(0, 2, None)], inline=LF_TEXT).decode()
    xml = xml.replace("<Sources>", head + "<Sources>").replace("</Project>", sets + "</Project>")
    xml = xml.replace("</TextSource>", f'<VariableValue><VariableRef targetGUID="{var2_g}"/>'
                      "<IntegerValue>2</IntegerValue></VariableValue></TextSource>")
    (tmp_path / "c.qde").write_text(xml, encoding="utf-8")
    seg = read_qdpx(tmp_path / "c.qde").segments
    assert seg.loc[0, "role"] == "Manager" and seg.loc[0, "site"] == "brent" and seg.loc[0, "wave"] == 2
    assert seg.loc[0, "speaker_id"] == "P9"


@pytest.mark.parametrize("members", [{"a.qde": b"<x/>", "b.qde": b"<x/>"}, {"sources/a.txt": b"x"},
                                     {"sub/project.qde": b"<x/>"}])
def test_archive_needs_exactly_one_root_qde(tmp_path, members):
    p = _zip(tmp_path / "z.qdpx", members)
    with pytest.raises(DataError, match="exactly one .qde"):
        read_qdpx(p)


def test_malformed_xml_and_not_a_project(tmp_path):
    (tmp_path / "bad.qde").write_bytes(b"<Project><Sources></Project>")
    with pytest.raises(DataError, match="not well formed") as e:
        read_qdpx(tmp_path / "bad.qde")
    assert e.value.path.endswith("bad.qde") and e.value.row == 1
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(DataError, match="not a REFI-QDA project"):
        read_qdpx(tmp_path / "x.txt")


def test_pdf_representation_transcript_and_whole_source_codings(tmp_path):
    rep_text = "Page one text.\nPage two: the plan worked."
    pdf = (f'<PDFSource guid="{_g("pdf")}" name="report.pdf" path="internal://report.pdf">'
           f'<PDFSelection guid="{_g("pdfsel")}" page="1" firstX="1" firstY="1" secondX="2" secondY="2">'
           '<Representation guid="' + _g("pdfrep") + '"><PlainTextContent>the plan worked</PlainTextContent>'
           f'</Representation><Coding guid="{_g("c1")}"><CodeRef targetGUID="{CODE}"/></Coding>'
           "</PDFSelection>"
           f'<Representation guid="{_g("rep")}" plainTextPath="internal://rep.txt">'
           f'<PlainTextSelection guid="{_g("rsel")}" startPosition="25" endPosition="40">'
           f'<Coding guid="{_g("c2")}"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
           f'</Representation><Coding guid="{_g("c3")}"><CodeRef targetGUID="{CODE}"/></Coding></PDFSource>')
    xml = _qde("x", [], extra=pdf)
    p = _zip(tmp_path / "pdf.qdpx", {"project.qde": xml, "sources/doc.txt": LF_TEXT.encode(),
                                    "sources/rep.txt": rep_text.encode()})
    seg = read_qdpx(p).segments.set_index("kind")
    assert seg.loc["text", "text"] == rep_text[25:40] == "the plan worked"
    assert seg.loc["pdf", "text"] == "the plan worked" and pd.isna(seg.loc["pdf", "start"])
    assert seg.loc["source", "source_id"] == "report.pdf"
    assert set(seg["code_path"]) == {"Enablers"}


def test_assumptions_are_reported(tmp_path):
    sels = [(_utf16(CRLF_TEXT, CRLF_TEXT.index(p)), _utf16(CRLF_TEXT, CRLF_TEXT.index(p) + len(p)), p)
            for p in PHRASES]
    path = _zip(tmp_path / "n.qdpx", {"project.qde": _qde("NVivo 12 Plus", sels),
                                     "sources/doc.txt": CRLF_TEXT.encode("utf-8")})
    text = read_qdpx(path).assumptions()
    assert "doc: utf16" in text and "3/3 selections match their names" in text


_chars = st.sampled_from(list("ab ,.é") + ["\r\n", "\n", "😀", "🎉"])


@settings(max_examples=100, deadline=None)
@given(pieces=st.lists(_chars, min_size=1, max_size=40), data=st.data())
def test_every_policy_maps_back_to_the_same_characters(pieces, data):
    from carejourneys.inputs.loaders.qdpx_positions import TextPositions

    raw = "".join(pieces)
    lf = raw.replace("\r\n", "\n")
    t = TextPositions.build(raw)
    assert t.lf == lf
    a = data.draw(st.integers(0, len(lf)))
    b = data.draw(st.integers(a, len(lf)))
    # where each policy puts code point a of the LF text
    def raw_prefix_crlf(i):  # CRLF pairs among the first i characters of the LF text
        k = n = 0
        while n < i:
            if raw[k:k + 2] == "\r\n":
                k += 2
            else:
                k += 1
            n += 1
        return raw[:k].count("\r\n")

    def units(i, utf16, crlf2):
        astral = sum(1 for ch in lf[:i] if ord(ch) > 0xFFFF) if utf16 else 0
        return i + astral + (raw_prefix_crlf(i) if crlf2 else 0)

    for policy, utf16, crlf2 in [("codepoints", False, True), ("codepoints_crlf1", False, False),
                                 ("utf16", True, True), ("utf16_crlf1", True, False)]:
        s, ok_s = t.map(policy, np.array([units(a, utf16, crlf2)]))
        e, ok_e = t.map(policy, np.array([units(b, utf16, crlf2)]))
        assert (int(s[0]), int(e[0])) == (a, b) and ok_s[0] and ok_e[0]


def test_guess_is_kept_when_policies_agree_on_a_text(tmp_path):
    text = "No line breaks here 😀 but an emoji, then more words."
    p = "then more words."
    sels = [(text.index(p), text.index(p) + len(p), p)]  # code points: ATLAS.ti and the standard agree
    path = _zip(tmp_path / "a.qdpx", {"project.qde": _qde("ATLAS.ti 9", sels),
                                     "sources/doc.txt": text.encode("utf-8")})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        proj = read_qdpx(path)
    assert proj.positions.iloc[0]["policy"] == "codepoints_crlf1"
    assert proj.segments.loc[0, "text"] == p
