"""carejourneys.sdc.quotes.select_quotes: theme, spread across roles, one per person, anonymised, log kept
apart."""

from __future__ import annotations

import pandas as pd

from carejourneys.sdc.quotes import select_quotes, write_quotes_log

DENY = pd.DataFrame({"site": ["plymouth", "all"], "term": ["Jordan", "Friday Club"], "tag": ["name",
    "service"]})
SC = "Outcomes for young people/Social connections"


def _segments():
    rows = []
    texts = [
        ("p1", "Young person", "Going to the Friday Club every week meant I finally had people to talk to."),
        ("p1", "Young person", "I met Jordan there and we still message each other most days now."),
        ("p2", "Young person", "It was nice."),
        ("p3", "Manager",
            "We saw young people build friendships that lasted beyond the sessions themselves."),
        ("p4", "Staff member",
         "Some of the group now meet up on their own, which was the whole point for us."),
        ("p5", "Senior leader",
            "Connections between young people became something we planned for deliberately."),
    ]
    for k, (spk, role, text) in enumerate(texts, start=1):
        for code in (SC, "Valence/Positive"):
            rows.append({"segment_id": f"S{k:02d}-{code[:3]}", "source_id": f"src-{spk}", "speaker_id": spk,
                         "site": "plymouth", "role": role, "code_path": code, "text": text, "start": 0,
                         "end": len(text)})
    rows.append({"segment_id": "B1", "source_id": "b", "speaker_id": "q1", "site": "brent", "role": "Manager",
                 "code_path": SC,
                 "text": "A Brent manager on connections, long enough to be chosen as a quote.",
                 "start": 0, "end": 70})
    return pd.DataFrame(rows)


def test_selection_spreads_roles_one_per_person_and_anonymises():
    sel = select_quotes(_segments(), "Outcomes for young people", n=4, site="plymouth", deny=DENY)
    q = sel.quotes
    assert list(q.columns) == ["text", "attribution", "role", "theme"]
    assert len(q) == 4
    assert q["role"].tolist() == ["Young person", "Staff member", "Manager", "Senior leader"]
    assert not q["text"].str.contains("Jordan|Friday Club|Brent").any()
    # the young person's quote is theirs (p1 or p2 is too short), anonymised
    assert q.loc[0, "text"] in {"Going to the [service] every week meant I finally had people to talk to.",
                                "I met [name] there and we still message each other most days now."}
    # nothing identifying in what is shown
    shown = " ".join(q.astype(str).to_numpy().ravel())
    assert "p1" not in shown and "src-" not in shown and "S0" not in shown
    assert set(sel.log["item"]) == {1, 2, 3, 4}
    assert sel.log.loc[sel.log["item"] == 1, "tag"].iloc[0] in {"service", "name"}


def test_deterministic_and_independent_of_row_order():
    seg = _segments()
    a = select_quotes(seg, SC, n=3, site="plymouth", deny=DENY)
    b = select_quotes(seg.sample(frac=1, random_state=1), SC, n=3, site="plymouth", deny=DENY)
    pd.testing.assert_frame_equal(a.quotes, b.quotes)


def test_one_per_person_and_fallbacks():
    seg = _segments()
    q = select_quotes(seg, SC, n=10, site="plymouth").quotes
    assert len(q) == 4  # p1, p3, p4, p5: p2's passage is too short, p1 counts once
    assert select_quotes(seg, "Barriers").quotes.empty
    assert select_quotes(seg, SC, valence="Negative").quotes.empty
    with_site = select_quotes(seg, SC, n=1, site="brent", include_site=True).quotes
    assert with_site.loc[0, "attribution"].startswith("Manager, ")
    long = seg.assign(text="word " * 200)
    cut = select_quotes(long, SC, n=1, max_chars=100).quotes.loc[0, "text"]
    assert len(cut) <= 102 and cut.endswith("…")


def test_log_is_written_apart(tmp_path):
    sel = select_quotes(_segments(), SC, n=4, site="plymouth", deny=DENY)
    path = write_quotes_log(sel, tmp_path / "quotes_log.csv")
    log = pd.read_csv(path)
    assert {"segment_id", "original", "tag"} <= set(log.columns)
    assert "Jordan" in set(log["original"].dropna()) or "Friday Club" in set(log["original"].dropna())


def test_append_log_across_calls(tmp_path):
    from carejourneys.sdc.quotes import append_quotes_log

    seg = _segments()
    path = tmp_path / "log.csv"
    a = select_quotes(seg, SC, n=2, site="plymouth", deny=DENY)
    b = select_quotes(seg, "Valence", n=1, site="plymouth", deny=DENY)
    append_quotes_log(a, path, context="nb/plymouth: social")
    append_quotes_log(b, path, context="nb/plymouth: valence")
    log = pd.read_csv(path)
    assert list(log.columns[:3]) == ["context", "item", "segment_id"]
    assert len(log) == len(a.log) + len(b.log)
    want = ["nb/plymouth: social"] * len(a.log) + ["nb/plymouth: valence"] * len(b.log)
    assert log["context"].tolist() == want


def _with(extra: list[tuple[str, str, str]]) -> pd.DataFrame:
    rows = [{"segment_id": f"X{k}", "source_id": f"src-{spk}", "speaker_id": spk, "site": "plymouth",
             "role": role, "code_path": SC, "text": text, "start": 0, "end": len(text)}
            for k, (spk, role, text) in enumerate(extra)]
    return pd.concat([_segments(), pd.DataFrame(rows)], ignore_index=True)


def test_passages_mostly_redacted_are_not_chosen():
    """Issue 13 item 12: a quote that is mostly a redaction tag illustrates nothing."""
    seg = _with([("p7", "Young person", "You can reach me on 07700 900123 or jo.b@example.org, Jordan."),
                 ("p8", "Stakeholder", "Ring Jordan on 07700 900124 or find @jordan_b on 14 Marlowe Road")])
    q = select_quotes(seg, SC, n=10, site="plymouth", deny=DENY).quotes
    assert len(q) == 4  # the four people whose words are mostly their own
    assert not q["text"].str.contains(r"\[phone\]|\[email\]|\[handle\]|\[address\]").any()
    only = seg[seg["speaker_id"].isin(["p7", "p8"])]
    assert select_quotes(only, SC, n=3, site="plymouth", deny=DENY).quotes.empty


def test_a_cut_never_leaves_part_of_an_identifier():
    text = "word " * 17 + "ring me on 07700 900123 whenever you like, honestly any time at all."
    seg = _with([("p9", "Stakeholder", text)])
    seg = seg[seg["speaker_id"] == "p9"]
    q = select_quotes(seg, SC, n=1, max_chars=104, deny=DENY).quotes
    assert len(q) == 1
    assert "0770" not in q.loc[0, "text"] and "900" not in q.loc[0, "text"]
    assert q.loc[0, "text"].endswith("…") and "[phone" not in q.loc[0, "text"].replace("[phone]", "")
