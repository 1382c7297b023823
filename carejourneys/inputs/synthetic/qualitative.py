"""Synthetic transcripts, their coded segments and the deny list of planted terms.

For each interview and focus group of the fieldwork log a short transcript is composed from the
fragments in :mod:`carejourneys.inputs.synthetic.texts`. Each answer is one coded excerpt: a theme code
(full codebook path) and a ``Valence/...`` code; answers about what helped or got in the way are coded
to the ``Enablers/...`` or ``Barriers/...`` code their sentence names (and to the theme it speaks to); each
code is one row of ``coded_segments.csv`` with the same ``start``/``end``/``text``, where
``start``/``end`` are code-point offsets into the transcript (end exclusive).

Coders: ``coder_a`` codes everything; ``coder_b`` double-codes about a fifth of the transcripts,
agreeing with coder A most of the time (for inter-coder agreement).

Planted patterns: in Plymouth, senior leaders and managers answer positively more often than
practitioners (the seniority gradient); in Brent the chance of a positive answer does not depend on
seniority, and Brent's staff speak of collaboration more positively than Plymouth's. Plymouth's
barriers are led by staff turnover and slow decisions; Brent's enablers by lived-experience staff and
senior sponsorship.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from carejourneys.inputs.schemas import CODE_SEPARATOR, CODEBOOK
from carejourneys.inputs.synthetic import texts
from carejourneys.inputs.synthetic._io import pick
from carejourneys.inputs.synthetic.fieldwork import Person, Session
from carejourneys.inputs.synthetic.programme import ACTIVITIES

CODERS = ("coder_a", "coder_b")
DOUBLE_CODED_SHARE = 0.2

#: P(positive), P(negative), P(mixed) by site and seniority
_VALENCE_P: dict[tuple[str, str], tuple[float, float, float]] = {
    ("plymouth", "practitioner"): (0.28, 0.47, 0.25),
    ("plymouth", "manager"): (0.5, 0.3, 0.2),
    ("plymouth", "senior_leader"): (0.72, 0.14, 0.14),
}
_VALENCE_DEFAULT = (0.45, 0.35, 0.2)
_VALENCE_YOUNG = (0.6, 0.25, 0.15)
#: digest 4 reports improvements in all four outcome areas, in young people's own accounts above all:
#: what young people say about an outcome area leans clearly positive
_VALENCE_YOUNG_OUTCOMES = (0.8, 0.12, 0.08)
#: Brent's collaboration was exceptional: its staff speak of collaboration mostly positively, at every
#: level of seniority (Plymouth's collaboration answers follow its seniority gradient)
_VALENCE_SITE_THEME: dict[tuple[str, str], tuple[float, float, float]] = {
    ("brent", texts.CO): (0.72, 0.1, 0.18),
}
VALENCES = ("Positive", "Negative", "Mixed")

_SITE_NAME = {"brent": "Brent", "plymouth": "Plymouth", "national": "national"}
#: what ``{site}`` becomes in a fragment ("the {site} approach")
_SITE_SLOT = {"brent": "Brent", "plymouth": "Plymouth", "national": "Care Journeys"}


def _weights(codes: list[str], top_weight: dict[str, float]) -> np.ndarray:
    """Each topic's chance: its top-level code's weight shared among the topics under it."""
    tops = [c.split(CODE_SEPARATOR)[0] for c in codes]
    w = np.array([top_weight[t] / tops.count(t) for t in tops])
    return w / w.sum()


FACTOR_TOPICS = (texts.EN, texts.BA)
_YOUNG_CODES = [*texts.YOUNG, *FACTOR_TOPICS]
_YOUNG_W = _weights(_YOUNG_CODES, {texts.OY: 0.64, texts.EN: 0.12, texts.BA: 0.11, texts.FO: 0.13})
_STAFF_CODES = [*texts.STAFF, *FACTOR_TOPICS]
_STAFF_W = _weights(_STAFF_CODES, {texts.OY: 0.13, texts.PL: 0.29, texts.CO: 0.19, texts.EN: 0.1,
                                   texts.BA: 0.11, texts.FO: 0.18})


@dataclass
class Excerpt:
    start: int
    end: int
    text: str
    speaker: Person
    codes: list[str]


def _lower_first(s: str) -> str:
    first = s.split(" ", 1)[0]
    if s.startswith("{") or first in {"I", "I'm", "I've", "I'd"} or first.rstrip(",:") in {"Co-production"}:
        return s
    return s[0].lower() + s[1:]


#: activities that do not read well as "the {activity}" in a sentence
_NOT_TALKED_OF = {"Journey Bags", "Care-experienced project assistant", "One-to-one and group work"}


class _Filler:
    """Fills ``{slots}`` with planted terms of one site and activities running at the interview date."""

    def __init__(self, rng: np.random.Generator, site: str, when: date) -> None:
        self.rng = rng
        self.site = site
        self.planted = texts.PLANTED[site]
        # activities people could talk about: those of the site that had started by the interview
        started = tuple(name for s, _id, name, kind, start, _end, _status, _desc in ACTIVITIES
                        if s == site and kind not in ("systems", "practice", "output")
                        and name not in _NOT_TALKED_OF and date.fromisoformat(start) <= when)
        self.activities = started or texts.SITE_ACTIVITIES.get(site) or texts.SITE_ACTIVITIES["national"]

    def name(self) -> str:
        full = pick(self.rng, self.planted["name"])
        return full if self.rng.random() < 0.5 else full.split(" ")[0]

    def fill(self, fragment: str) -> str:
        p = self.planted
        return fragment.format_map({
            "name": self.name(),
            "place": pick(self.rng, p["place"]),
            "service": pick(self.rng, p["service"]),
            "org": pick(self.rng, p["organisation"]),
            "activity": pick(self.rng, self.activities),
            "site": _SITE_SLOT[self.site],
        })


def _valence(rng: np.random.Generator, site: str, person: Person, code: str = "") -> str:
    if person.seniority == "not_applicable":
        p = _VALENCE_YOUNG_OUTCOMES if code.split(CODE_SEPARATOR)[0] == texts.OY else _VALENCE_YOUNG
    else:
        p = _VALENCE_SITE_THEME.get((site, code.split(CODE_SEPARATOR)[0]),
                                    _VALENCE_P.get((site, person.seniority), _VALENCE_DEFAULT))
    return pick(rng, VALENCES, p=p)


def _choose(rng: np.random.Generator, pool: tuple[str, ...], n: int, used: set[str]) -> list[str]:
    """``n`` fragments of ``pool``, preferring ones not yet used in this transcript."""
    fresh = [f for f in pool if f not in used]
    source = fresh if len(fresh) >= n else list(pool)
    picked = [source[int(i)] for i in sorted(rng.choice(len(source), size=n, replace=False))]
    used.update(picked)
    return picked


def _bank_for(bank: dict, code: str, site: str, young: bool) -> dict:
    """The fragments of ``code``, with the site's own fragments added (staff answers only)."""
    frags = bank[code]
    extra = {} if young else texts.SITE_STAFF.get(site, {}).get(code, {})
    return {k: (*frags.get(k, ()), *extra.get(k, ())) for k in ("pos", "neg")}


def _answer(rng: np.random.Generator, filler: _Filler, bank: dict, code: str, valence: str,
            used: set[str], young: bool) -> tuple[str, list[str]]:
    """The text of an answer on topic ``code`` and the codes given to it (valence last)."""
    if code in FACTOR_TOPICS:
        return _factor_answer(rng, filler, valence, used, young)
    frags = _bank_for(bank, code, filler.site, young)
    codes = [code, f"Valence{CODE_SEPARATOR}{valence}"]
    if valence == "Mixed":
        pos = filler.fill(_choose(rng, frags["pos"], 1, used)[0])
        neg = filler.fill(_choose(rng, frags["neg"], 1, used)[0])
        return f"{pos} {pick(rng, texts.MIXED_LINKS)} {_lower_first(neg)}", codes
    pool = frags["pos" if valence == "Positive" else "neg"]
    n = 2 if len(pool) > 1 and rng.random() < 0.4 else 1
    return " ".join(filler.fill(f) for f in _choose(rng, pool, n, used)), codes


def _factor(rng: np.random.Generator, site: str, kind: str, young: bool) -> str:
    """An enabler (``kind`` Enablers) or barrier code, weighted by how often the site raised it."""
    bank = texts.YOUNG_FACTORS if young else texts.STAFF_FACTORS
    options = [c for c in bank if c.startswith(kind + CODE_SEPARATOR)]
    weights = texts.FACTOR_WEIGHTS.get(site, {})
    w = np.array([weights.get(c, 1.0) for c in options])
    return options[int(rng.choice(len(options), p=w / w.sum()))]


def _factor_answer(rng: np.random.Generator, filler: _Filler, valence: str, used: set[str],
                   young: bool) -> tuple[str, list[str]]:
    """What helped (a positive answer), what got in the way (negative), or one of each (mixed).

    Each sentence names its factor and is coded to it; a staff sentence is also coded to the
    theme it speaks to (``texts.FACTOR_THEMES``) when the answer is not mixed.
    """
    bank = texts.YOUNG_FACTORS if young else texts.STAFF_FACTORS
    site = filler.site if filler.site in texts.FACTOR_WEIGHTS else "national"
    vcode = f"Valence{CODE_SEPARATOR}{valence}"
    if valence == "Mixed":
        en, ba = _factor(rng, site, texts.EN, young), _factor(rng, site, texts.BA, young)
        pos = filler.fill(_choose(rng, bank[en], 1, used)[0])
        neg = filler.fill(_choose(rng, bank[ba], 1, used)[0])
        return f"{pos} {pick(rng, texts.MIXED_LINKS)} {_lower_first(neg)}", [en, ba, vcode]
    code = _factor(rng, site, texts.EN if valence == "Positive" else texts.BA, young)
    text = filler.fill(_choose(rng, bank[code], 1, used)[0])
    theme = None if young else texts.FACTOR_THEMES.get(code)
    return text, [code, *([theme] if theme else []), vcode]


def _contact(rng: np.random.Generator, filler: _Filler, young: bool) -> str:
    """A fictional phone number or email address in a sentence (drama numbers, example.org)."""
    name = pick(rng, filler.planted["name"]).lower().replace(" ", ".")
    return pick(rng, texts.CONTACT_FRAGMENTS["young" if young else "staff"]).format(
        phone=f"07700 900{int(rng.integers(0, 1000)):03d}", email=f"{name}@example.org")


def _header(s: Session) -> str:
    what = "Focus group" if s.method == "focus_group" else "Interview"
    return (f"{what} {s.source_id} ({_SITE_NAME[s.site]}, wave {s.wave}, {s.date.isoformat()})\n"
            "Synthetic transcript written for the carejourneys demo data. "
            "Every person, place and service named in it is fictional.\n\n")


def transcript(rng: np.random.Generator, s: Session) -> tuple[str, list[Excerpt]]:
    """The text of one session's transcript and its coded excerpts."""
    filler = _Filler(rng, s.site, s.date)
    parts: list[str] = [_header(s)]
    pos = len(parts[0])
    excerpts: list[Excerpt] = []

    def add(chunk: str) -> int:
        nonlocal pos
        parts.append(chunk)
        pos += len(chunk)
        return pos

    young = s.group == "young_person"
    codes, weights = (_YOUNG_CODES, _YOUNG_W) if young else (_STAFF_CODES, _STAFF_W)
    questions = texts.YP_QUESTIONS if young else texts.STAFF_QUESTIONS
    n_questions = int(rng.integers(4, 8)) if young else int(rng.integers(5, 8))
    if s.method == "focus_group":
        n_questions = int(rng.integers(5, 7))
        labels = {p.speaker_id: f"P{i}" for i, p in enumerate(s.speakers, start=1)}
        add("Participants: facilitator (F); " + ", ".join(
            f"{p.role.lower()} ({labels[p.speaker_id]})" for p in s.speakers) + ".\n\n")
        asker = "F"
    else:
        labels = {s.speakers[0].speaker_id: "R"}
        add(f"Participants: interviewer (I); {s.speakers[0].role.lower()} (R).\n\n")
        asker = "I"
    w = weights.copy()
    asked: set[str] = set()
    used_fragments: set[str] = set()
    for _ in range(n_questions):
        code = codes[int(rng.choice(len(codes), p=w / w.sum()))]
        w[codes.index(code)] *= 0.1  # a topic rarely comes up twice in one interview
        top = code.split(CODE_SEPARATOR)[0]
        fresh = [q for q in questions.get(top, questions[texts.OY]) if q not in asked]
        question = pick(rng, fresh) if fresh else pick(rng, texts.FOLLOW_UPS)
        asked.add(question)
        add(f"{asker}: {question}\n")
        if s.method == "focus_group":
            k = int(rng.integers(2, 4))
            order = rng.choice(len(s.speakers), size=min(k, len(s.speakers)), replace=False)
            speakers = [s.speakers[int(i)] for i in order]
        else:
            speakers = s.speakers
        for j, person in enumerate(speakers):
            if j and rng.random() < 0.3:
                add(f"{asker}: {pick(rng, texts.FOCUS_GROUP_PROMPTS)}\n")
            add(f"{labels[person.speaker_id]}: ")
            if rng.random() < 0.3:
                add(f"{pick(rng, texts.OPENERS)} ")
            valence = _valence(rng, s.site, person, code)
            text, answer_codes = _answer(rng, filler, texts.YOUNG if young else texts.STAFF, code, valence,
                                         used_fragments, young)
            if rng.random() < 0.025:
                text = f"{text} {_contact(rng, filler, young)}"
            start = pos
            end = add(text)
            excerpts.append(Excerpt(start, end, text, person, answer_codes))
            add("\n")
        add("\n")
    return "".join(parts), excerpts


def _recode(rng: np.random.Generator, codes: list[str]) -> list[str]:
    """Coder B's codes for an excerpt coder A coded with ``codes``: mostly the same."""
    out: list[str] = []
    for c in codes:
        top = c.split(CODE_SEPARATOR)[0]
        children = CODEBOOK[top]
        r = rng.random()
        if r < 0.85 or len(children) < 2:
            out.append(c)
        else:
            others = [ch for ch in children if f"{top}{CODE_SEPARATOR}{ch}" != c]
            out.append(f"{top}{CODE_SEPARATOR}{pick(rng, others)}")
    return out


def generate(rng: np.random.Generator, sessions: list[Session]) -> tuple[dict[str, str], list[dict]]:
    """Transcripts by source_id and coded-segment rows (columns of ``coded_segments.csv``)."""
    transcripts: dict[str, str] = {}
    rows: list[dict] = []
    for s in sessions:
        text, excerpts = transcript(rng, s)
        transcripts[s.source_id] = text
        coders = CODERS if rng.random() < DOUBLE_CODED_SHARE else CODERS[:1]
        for coder in coders:
            for ex in excerpts:
                codes = ex.codes if coder == CODERS[0] else _recode(rng, ex.codes)
                for code in codes:
                    rows.append({
                        "source_id": s.source_id, "site": s.site, "speaker_id": ex.speaker.speaker_id,
                        "role": ex.speaker.role, "seniority": ex.speaker.seniority, "wave": s.wave,
                        "date": s.date, "code_path": code, "theme": code.split(CODE_SEPARATOR)[0],
                        "text": ex.text, "start": ex.start, "end": ex.end, "coder": coder,
                    })
    for i, r in enumerate(rows, start=1):
        r["segment_id"] = f"SEG{i:05d}"
    return transcripts, rows


def deny_list() -> list[dict]:
    """Every planted term (full names and first names too), with its tag; national terms apply to all."""
    rows: list[dict] = []
    tag_of = {"name": "name", "place": "place", "service": "service", "organisation": "organisation"}
    for site, kinds in texts.PLANTED.items():
        seen: set[str] = set()
        for kind, terms in kinds.items():
            for term in terms:
                variants = [term, term.split(" ")[0]] if kind == "name" else [term]
                for v in variants:
                    if v not in seen:
                        seen.add(v)
                        rows.append({"site": "all" if site == "national" else site, "term": v,
                                     "tag": tag_of[kind]})
    return rows
