"""Illustrative quotes for a theme: chosen deterministically, attributed by generic role, anonymised.

    sel = select_quotes(ds.coded_segments, "Outcomes for young people/Social connections", n=3,
                        deny=ds.deny_list, site="plymouth")
    sel.quotes   # text, attribution, role, theme          -> shown (cj.report.quotes)
    sel.log      # what was replaced in which quote, and which segment each quote came from -> never shown
    write_quotes_log(sel, work_dir / "plymouth" / "quotes_log.csv")   # private: never in outputs/

Choice of excerpts (the same data always give the same quotes):

1. passages coded to the theme or any code below it (a passage is a distinct source/start/end, so a
   span coded twice counts once), optionally only those also coded ``Valence/<valence>``;
2. texts of ``min_chars`` to ``max_chars`` characters (when none fits, longer ones, cut as below);
3. spread across roles (young people, staff members, managers, senior leaders, stakeholders, in that
   order, taking turns), at most one quote per person, and within a role the passage closest to a
   medium length, ties broken by a hash of the segment id (not by file order);
4. a passage is anonymised offline (:func:`carejourneys.sdc.anonymise.anonymise`: the deny list,
   e-mails, phone numbers, links and handles, addresses, dates of birth, NHS, NI and pupil numbers,
   postcodes, titled names) before it is cut, so a cut never leaves part of an identifier; one that is
   mostly redaction (more than :data:`MAX_REDACTED` of its words are tags, or of its characters were
   replaced: "You can reach me on [phone]") is passed over for the next: a quote should be mostly the
   speaker's own words; a text over ``max_chars`` is cut at a sentence or word boundary, never inside
   a tag, and marked with "…";
5. each quote is attributed by generic role only ("Young person", "Manager", ...; with
   ``include_site`` also the site's name).

The log (originals and what replaced them) goes wherever :func:`append_quotes_log` or
:func:`write_quotes_log` is told: the build keeps it in its private working folder, never in outputs.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from carejourneys.inputs.schemas import CODE_SEPARATOR, ROLES
from carejourneys.sdc.anonymise import LOG_COLUMNS, Anonymised, anonymise, csv_row, write_replacement_log

QUOTE_COLUMNS = ["text", "attribution", "role", "theme"]
QUOTE_LOG_COLUMNS = ["item", "segment_id", "source_id", *LOG_COLUMNS[1:]]
#: a passage with more than this share of its words being tags, or of its characters replaced, is not used
MAX_REDACTED = 1 / 3
_TAG_TOKEN = re.compile(r"\[[^\[\]]{1,30}\]")


class QuoteSelection(NamedTuple):
    """``quotes``: what may be shown (text, attribution, role, theme). ``log``: never shown; one row per
    replacement (and one per quote without replacements) naming the segment each quote came from."""

    quotes: pd.DataFrame
    log: pd.DataFrame


def _squash(s: str) -> str:
    return " ".join(str(s).split())


def _cut(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    opened = head.rfind("[")
    if opened > head.rfind("]"):  # never end inside a tag
        head = head[:opened]
    for stop in (". ", "? ", "! "):
        k = head.rfind(stop)
        if k >= max_chars // 2:
            return head[: k + 1] + " …"
    k = head.rfind(" ") if len(head) == max_chars else len(head.rstrip())
    return (head[:k] if k > 0 else head).rstrip(",;: ") + " …"


def redacted_share(a: Anonymised, original: str) -> float:
    """How much of a passage is redaction: the larger of the share of its words that are tags and the
    share of its characters that were replaced."""
    words = a.text.split()
    tags = len(_TAG_TOKEN.findall(a.text))
    tag_words = sum(len(t.split()) for t in _TAG_TOKEN.findall(a.text))
    n_words = len(words) - tag_words + tags
    by_words = tags / n_words if n_words else 0.0
    by_chars = sum(r.end - r.start for r in a.replacements) / len(original) if original else 0.0
    return max(by_words, by_chars)


def _hash(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()


def _site_name(site: object) -> str:
    from carejourneys.sites import get

    try:
        return get(str(site)).name
    except KeyError:  # not a registered site (e.g. national): show the key
        return str(site).title()


def select_quotes(segments: pd.DataFrame, theme: str, *, n: int = 3, site: str | None = None,
                  deny: object = None, valence: str | None = None, roles: list[str] | None = None,
                  min_chars: int = 40, max_chars: int = 300, include_site: bool = False,
                  one_per_person: bool = True) -> QuoteSelection:
    """Pick up to ``n`` illustrative, anonymised excerpts for ``theme``.

    Args:
        segments: coded segments (``ds.coded_segments`` or ``read_qdpx(...).segments``) with at least
            ``segment_id``, ``source_id``, ``code_path`` and ``text``; ``role``, ``speaker_id``,
            ``site``, ``start``/``end`` are used when present.
        theme: a top-level theme (``"Barriers"``) or a code path (``"Collaboration/Leading by example"``);
            codes below it count.
        n: how many quotes at most.
        site: keep only this site's segments (``None`` or ``"all"``: every site).
        deny: the deny list (``ds.deny_list``, a mapping term -> tag, or a list of terms); rows for the
            segment's site and for "all" are applied.
        valence: keep only passages also coded ``Valence/<valence>`` ("Positive", "Negative", "Mixed").
        roles: keep only these roles (values of ``schemas.ROLES``).
        min_chars, max_chars: preferred length of a quote.
        include_site: add the site's name to the attribution ("Manager, Plymouth").
        one_per_person: at most one quote per speaker.

    Returns:
        :class:`QuoteSelection` (a tuple ``(quotes, log)``): show ``quotes``; write ``log`` beside the
        outputs with :func:`write_quotes_log`, never into HTML.
    """
    s = segments
    empty = QuoteSelection(pd.DataFrame(columns=QUOTE_COLUMNS), pd.DataFrame(columns=QUOTE_LOG_COLUMNS))
    if s is None or len(s) == 0 or "text" not in s.columns:
        return empty
    if site is not None and site != "all" and "site" in s.columns:
        s = s[s["site"].astype("str") == site]
    cp = s["code_path"].astype("str")
    key = s["source_id"].astype("str")
    if {"start", "end"} <= set(s.columns):
        key = key + "@" + s["start"].astype("str") + "-" + s["end"].astype("str")
    s = s.assign(_passage=key.where(s["text"].notna(), s["segment_id"].astype("str")), _code=cp)
    hit = s[(cp == theme) | cp.str.startswith(theme + CODE_SEPARATOR)]
    if valence is not None:
        with_val = set(s.loc[s["_code"] == f"Valence{CODE_SEPARATOR}{valence}", "_passage"])
        hit = hit[hit["_passage"].isin(with_val)]
    if roles is not None and "role" in hit.columns:
        hit = hit[hit["role"].isin(roles)]
    hit = hit[hit["text"].notna()]
    if hit.empty:
        return empty
    hit = hit.sort_values("segment_id", kind="stable").drop_duplicates("_passage")
    hit = hit.assign(_orig=hit["text"].map(_squash))
    hit = hit[hit["_orig"].str.len() > 0]
    if hit.empty:
        return empty
    hit = hit.assign(_text=hit["_orig"])
    fits = hit[(hit["_text"].str.len() >= min_chars) & (hit["_text"].str.len() <= max_chars)]
    if fits.empty:
        fits = hit[hit["_text"].str.len() >= min(min_chars, 20)]
        if fits.empty:
            fits = hit
        fits = fits.assign(_text=fits["_text"].map(lambda t: t[:max_chars]))  # for the score only
    ideal = (min_chars + max_chars) / 3
    fits = fits.assign(_score=(fits["_text"].str.len() - ideal).abs(),
                       _tie=fits["segment_id"].astype("str").map(lambda x: _hash(f"{theme}|{x}")),
                       _role=fits["role"].astype("str") if "role" in fits.columns else "Participant",
                       _person=(fits["speaker_id"].astype("str").where(fits["speaker_id"].notna(),
                                                                       fits["source_id"].astype("str"))
                                if "speaker_id" in fits.columns else fits["source_id"].astype("str")))
    fits = fits.sort_values(["_score", "_tie"], kind="stable")
    present = list(dict.fromkeys(fits["_role"]))
    role_order = [r for r in ROLES if r in present] + sorted(r for r in present if r not in ROLES)
    queues = {r: fits[fits["_role"] == r] for r in role_order}
    picked: list[pd.Series] = []
    used_people: set[str] = set()
    pos = dict.fromkeys(role_order, 0)
    while len(picked) < n:
        progressed = False
        for r in role_order:
            if len(picked) >= n:
                break
            q = queues[r]
            while pos[r] < len(q):
                row = q.iloc[pos[r]]
                pos[r] += 1
                if one_per_person and row["_person"] in used_people:
                    continue
                seg_site = str(row["site"]) if "site" in row.index and pd.notna(row["site"]) else site
                a = anonymise(row["_orig"], deny, site=seg_site)
                if redacted_share(a, row["_orig"]) > MAX_REDACTED:
                    continue  # mostly tags: not the speaker's own words
                row = row.copy()
                row["_anon"], row["_text"] = a, _cut(a.text, max_chars)
                picked.append(row)
                used_people.add(row["_person"])
                progressed = True
                break
        if not progressed:
            break
    quotes, logs = [], []
    for i, row in enumerate(picked, start=1):
        seg_site = str(row["site"]) if "site" in row.index and pd.notna(row["site"]) else site
        a = row["_anon"]
        role = row["_role"] if row["_role"] not in ("nan", "None", "<NA>") else "Participant"
        attribution = f"{role}, {_site_name(seg_site)}" if include_site and seg_site else role
        quotes.append({"text": row["_text"], "attribution": attribution, "role": role, "theme": theme})
        base = {"item": i, "segment_id": row["segment_id"], "source_id": row["source_id"]}
        if a.replacements:
            for r in a.replacements:
                logs.append({**base, "tag": r.tag, "original": r.original, "start": r.start, "end": r.end,
                             "rule": r.rule})
        else:
            logs.append({**base, "tag": None, "original": None, "start": None, "end": None, "rule": None})
    return QuoteSelection(pd.DataFrame(quotes, columns=QUOTE_COLUMNS),
                          pd.DataFrame(logs, columns=QUOTE_LOG_COLUMNS))


def write_quotes_log(selection: QuoteSelection | pd.DataFrame, path: str | Path) -> Path:
    """Write the log of a :class:`QuoteSelection` (or several logs concatenated) as CSV at ``path`` (a
    private folder: the log holds what anonymisation removed)."""
    log = selection.log if isinstance(selection, QuoteSelection) else selection
    return write_replacement_log(log, path)


def append_quotes_log(selection: QuoteSelection, path: str | Path, *, context: str | None = None) -> Path:
    """Append a selection's log to the CSV at ``path`` (header written when the file is new); ``path``
    belongs in a private folder, never in outputs (the log holds what anonymisation removed).

    ``context`` (e.g. "02_site_learning/plymouth: Barriers") is written in a first column so that one
    log can serve a whole build; the builder should remove the file before a build starts so that
    rebuilding gives the same bytes.
    """
    import csv
    import io

    path = Path(path)
    log = selection.log.copy()
    log.insert(0, "context", context)
    new = not path.exists() or path.stat().st_size == 0
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if new:
        w.writerow(csv_row(log.columns))
    for row in log.itertuples(index=False):
        w.writerow(csv_row(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    return path
