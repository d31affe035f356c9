"""Procedural article text for the benchmarks: no prose is copied from anywhere.

Sentences are assembled from the small word lists below by a few templates, in
English and (rough, machine-made) German. Generating every sentence of 200,000
articles one word at a time would dominate seeding, so each language gets a
pool of a few thousand sentences up front and articles draw from it; titles,
slugs, summaries and reference lists are still made per article.

Everything is driven by one ``random.Random`` so a seed gives the same corpus.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

CATEGORIES = ("immune-health", "heart-health", "sleep-health", "nutrition")

# -- English ---------------------------------------------------------------------

EN = {
    "noun": """sleep heart vessel muscle vitamin mineral fibre protein habit routine clinic patient nurse
        doctor dose trial symptom infection vaccine antibody cell gut liver kidney lung skin bone joint
        meal breakfast vegetable fruit grain legume snack drink coffee walk exercise rest stress mood
        memory pressure rhythm pulse cholesterol sugar salt fat oil nut seed bean lentil yoghurt fish
        egg season winter summer morning evening night nap alarm screen light bedroom pillow mattress
        diary plan goal risk benefit study review guideline evidence measure reading level marker test
        result team family child adult parent pharmacist dietitian therapist appointment visit question
        answer label portion plate recipe kitchen stairway garden bicycle swim stretch breath lifestyle
        schedule shift worker student athlete senior teenager infant pregnancy recovery illness fever
        cough throat nose ear eye tooth gum appetite thirst weight waist balance posture energy fatigue
        immunity defence barrier microbiome enzyme hormone insulin iron zinc calcium magnesium folate""".split(),
    "adj": """regular steady gentle modest daily weekly careful simple practical common rare healthy
        balanced varied fresh whole light deep short long brief early late quiet active moderate small
        large useful reliable clear honest careful consistent sensible typical older younger busy tired
        rested hydrated seasonal local colourful plain frozen dried roasted raw warm cool mild strong
        gradual sudden lasting temporary measurable visible hidden familiar new traditional""".split(),
    "verb": """supports lowers raises improves affects protects strengthens shapes changes reduces eases
        helps delays shortens lengthens steadies disturbs restores balances fuels guides predicts
        signals triggers calms slows speeds boosts limits weakens repairs renews trains prepares""".split(),
    "adv": """often usually rarely gradually quietly clearly slightly markedly steadily reliably mostly
        partly quickly slowly gently consistently noticeably modestly""".split(),
    "prep": "in during after before with without for across through over under between among".split(),
    "det": "the a every each this that one your their our".split(),
    "lead": """Researchers found that | In practice | For most adults | According to several studies |
        Clinicians often notice that | Over time | In our experience | On balance | As a rule |
        In small trials | Put simply | For many families | At the clinic | Surprisingly""".split("|"),
    "ask": "How does | Why does | When does | Can | Should | Does".split("|"),
    "first": """Amira Jonas Priya Tomas Leila Marek Ines Oskar Hana Felix Noor Elena Rafael Sofia Kenji
        Maya Lukas Zara Daniel Ayla""".split(),
    "credential": ["MD", "RD", "RN", "PhD", "MPH", "PharmD"],
    "journal": ["Journal of Everyday Medicine", "Annals of Primary Care", "Clinical Nutrition Reports",
                "Sleep and Rhythm Research", "Heart and Vessel Studies", "Immunity in Practice",
                "Public Health Notes", "Family Practice Review", "Preventive Care Quarterly",
                "Archives of Community Health"],
    "kind": ["Randomised trial", "Meta-analysis", "Cohort study", "Guideline", "Systematic review",
             "Cross-sectional study", "Case-control study", "Narrative review"],
}

# -- German (rough, machine-made) --------------------------------------------------

DE = {
    "noun": """Schlaf Herz Gefäß Muskel Vitamin Mineralstoff Ballaststoff Eiweiß Gewohnheit Alltag Praxis
        Patientin Pfleger Ärztin Dosis Studie Beschwerde Infektion Impfung Antikörper Zelle Darm Leber
        Niere Lunge Haut Knochen Gelenk Mahlzeit Frühstück Gemüse Obst Getreide Hülsenfrucht Imbiss
        Getränk Kaffee Spaziergang Bewegung Ruhe Stress Stimmung Gedächtnis Blutdruck Rhythmus Puls
        Cholesterin Zucker Salz Fett Öl Nuss Samen Bohne Linse Joghurt Fisch Ei Jahreszeit Winter
        Sommer Morgen Abend Nacht Mittagsschlaf Wecker Bildschirm Licht Schlafzimmer Kissen Matratze
        Tagebuch Plan Ziel Risiko Nutzen Übersicht Leitlinie Evidenz Messung Wert Marker Test Ergebnis
        Familie Kind Erwachsene Apothekerin Beratung Termin Besuch Frage Antwort Portion Teller Rezept
        Küche Treppe Garten Fahrrad Atmung Lebensstil Schichtarbeit Schwangerschaft Erholung Fieber
        Husten Hals Appetit Durst Gewicht Gleichgewicht Haltung Energie Müdigkeit Abwehr Barriere
        Mikrobiom Enzym Hormon Insulin Eisen Zink Kalzium Magnesium Folsäure""".split(),
    "adj": """regelmäßige ruhige sanfte mäßige tägliche wöchentliche sorgfältige einfache praktische
        häufige seltene gesunde ausgewogene frische leichte tiefe kurze lange frühe späte aktive kleine
        große nützliche verlässliche klare beständige vernünftige typische ältere jüngere müde erholte
        saisonale bunte warme kühle milde starke allmähliche plötzliche dauerhafte messbare neue""".split(),
    "verb": """unterstützt senkt erhöht verbessert beeinflusst schützt stärkt verändert verringert
        erleichtert verzögert verkürzt verlängert stabilisiert stört stellt beruhigt verlangsamt
        begrenzt schwächt repariert erneuert trainiert bereitet fördert hemmt""".split(),
    "adv": """oft meist selten allmählich leise deutlich leicht merklich stetig verlässlich teilweise
        schnell langsam sanft spürbar""".split(),
    "prep": "bei nach vor mit ohne für durch über unter zwischen".split(),
    "det": "die eine jede diese ihre unsere".split(),
    "lead": """Forschende fanden, dass | In der Praxis | Für die meisten Erwachsenen | Mehrere Studien zeigen |
        Im Alltag | Mit der Zeit | Nach unserer Erfahrung | Insgesamt | In kleinen Studien |
        Einfach gesagt | Für viele Familien | In der Sprechstunde""".split("|"),
    "ask": "Wie | Warum | Wann | Kann | Sollte | Hilft".split("|"),
    "first": """Anna Jonas Lena Tobias Leonie Marek Ines Oskar Hanna Felix Nora Elena Rafael Sophie
        Jakob Maja Lukas Greta Daniel Paula""".split(),
}

SYLLABLES = "ba be bi bo ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta te ti to ven dal mer sch berg hol".split()


def _clean(words: list[str]) -> list[str]:
    return [w.strip() for w in words if w.strip()]


for _lang in (EN, DE):
    for _k in ("lead", "ask"):
        _lang[_k] = _clean(_lang[_k])


@dataclass
class Pools:
    sentences: list[str]
    headings: list[str]
    questions: list[str]


def _sentence(rnd: random.Random, v: dict, german: bool) -> str:
    n, a, vb, adv, p, d = (lambda: rnd.choice(v["noun"])), (lambda: rnd.choice(v["adj"])), \
        (lambda: rnd.choice(v["verb"])), (lambda: rnd.choice(v["adv"])), (lambda: rnd.choice(v["prep"])), \
        (lambda: rnd.choice(v["det"]))
    shape = rnd.randrange(5)
    if shape == 0:
        words = [d(), a(), n(), adv(), vb(), d(), n(), p(), d(), a(), n()]
    elif shape == 1:
        words = [rnd.choice(v["lead"]), d(), n(), vb(), d(), a(), n(), p(), n(), "and" if not german else "und",
                 adv(), vb(), d(), n()]
    elif shape == 2:
        words = [p().capitalize(), d(), a(), n(), d(), n(), adv(), vb(), d(), n(), p(), d(), a(), a(), n()]
    elif shape == 3:
        words = [d(), n(), p(), n(), vb(), d(), a(), n(), ",", "while" if not german else "während", d(), n(),
                 adv(), vb(), d(), a(), n(), p(), n()]
    else:
        words = [rnd.choice(v["lead"]), a(), n(), vb(), d(), n(), "more" if not german else "mehr", "than",
                 d(), a(), n()] if not german else \
            [rnd.choice(v["lead"]), a(), n(), vb(), d(), n(), "stärker", "als", d(), a(), n()]
    text = " ".join(words).replace(" ,", ",")
    return text[0].upper() + text[1:] + "."


def _heading(rnd: random.Random, v: dict, german: bool) -> str:
    a, n = rnd.choice(v["adj"]), rnd.choice(v["noun"])
    if german:
        forms = (f"Was {rnd.choice(v['noun'])} und {n} verbindet", f"{a.capitalize()} {n} im Alltag",
                 f"Wie {n} {rnd.choice(v['verb'])}", f"{n} {rnd.choice(v['prep'])} {rnd.choice(v['noun'])}")
    else:
        forms = (f"What {n} has to do with {rnd.choice(v['noun'])}", f"{a.capitalize()} {n} in everyday life",
                 f"How {n} {rnd.choice(v['verb'])} {rnd.choice(v['noun'])}",
                 f"The {a} {n} {rnd.choice(v['prep'])} {rnd.choice(v['noun'])}")
    return rnd.choice(forms)


def _question(rnd: random.Random, v: dict, german: bool) -> str:
    n1, n2 = rnd.choice(v["noun"]), rnd.choice(v["noun"])
    if german:
        return f"{rnd.choice(v['ask'])} {rnd.choice(v['adj'])} {n1} {rnd.choice(v['verb'])} {n2}?"
    verb = rnd.choice(v["verb"])
    base = verb[:-3] + "y" if verb.endswith("ies") else verb[:-2] if verb.endswith(("ches", "shes", "sses")) \
        else verb[:-1] if verb.endswith("s") else verb
    return f"{rnd.choice(v['ask'])} {rnd.choice(v['adj'])} {n1} {base} the {n2}?"


def make_pools(rnd: random.Random, size: int = 4000) -> dict[str, Pools]:
    pools = {}
    for locale, v in (("en", EN), ("de", DE)):
        german = locale == "de"
        pools[locale] = Pools(
            sentences=[_sentence(rnd, v, german) for _ in range(size)],
            headings=[_heading(rnd, v, german) for _ in range(max(200, size // 10))],
            questions=[_question(rnd, v, german) for _ in range(max(200, size // 10))],
        )
    return pools


_SLUG_STRIP = re.compile(r"[^a-z0-9]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def slugify(text: str) -> str:
    return _SLUG_STRIP.sub("-", text.translate(_UMLAUTS).lower()).strip("-")[:80].strip("-")


def person(rnd: random.Random, locale: str = "en") -> str:
    v = EN if locale == "en" else DE
    surname = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
    return f"{rnd.choice(v['first'])} {surname}, {rnd.choice(EN['credential'])}"


def ref_author(rnd: random.Random) -> str:
    surname = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
    return f"{surname} {rnd.choice('ABCDEFGHJKLMNPRST')}{rnd.choice(['', 'A', 'J', 'M'])}"


def title(rnd: random.Random, locale: str) -> str:
    v = EN if locale == "en" else DE
    a, n1, n2 = rnd.choice(v["adj"]), rnd.choice(v["noun"]), rnd.choice(v["noun"])
    if locale == "en":
        forms = (f"{a.capitalize()} {n1} and your {n2}: what the evidence supports",
                 f"How {n1} {rnd.choice(v['verb'])} {n2}", f"{n1.capitalize()}, {n2} and {a} habits",
                 f"A {a} guide to {n1} and {n2}")
    else:
        forms = (f"{a.capitalize()} {n1} und {n2}: was die Evidenz zeigt", f"Wie {n1} {n2} {rnd.choice(v['verb'])}",
                 f"{n1}, {n2} und {a} Gewohnheiten", f"Ein {a}r Leitfaden zu {n1} und {n2}")
    return rnd.choice(forms)


@dataclass
class Ref:
    key: str
    title: str
    authors: list[str]
    container: str
    kind: str
    year: int
    doi: str
    pmid: str
    url: str


def references(rnd: random.Random, pool: Pools, tag: str) -> list[Ref]:
    refs = []
    for i in range(rnd.randint(3, 10)):
        first = ref_author(rnd)
        year = rnd.randint(1995, 2025)
        key = f"{slugify(first.split()[0])}-{year}-{tag}{i}"
        doi = f"10.5555/cjbench.{tag}.{i}"
        refs.append(Ref(key=key, title=rnd.choice(pool.sentences)[:-1],
                        authors=[first] + [ref_author(rnd) for _ in range(rnd.randint(0, 3))]
                        + (["et al."] if rnd.random() < 0.3 else []),
                        container=rnd.choice(EN["journal"]), kind=rnd.choice(EN["kind"]), year=year,
                        doi=doi, pmid=str(rnd.randint(10_000_000, 39_999_999)) if rnd.random() < 0.6 else "",
                        url=f"https://doi.org/{doi}"))
    return refs


def body(rnd: random.Random, pool: Pools, keys: list[str], sections: int = 6, per_paragraph: int = 5) -> str:
    """About 900 words: an introduction, ``sections`` ``##`` sections of two
    paragraphs (one with a bullet list), every reference cited at least once."""
    s = pool.sentences
    pending = list(keys)
    rnd.shuffle(pending)

    def paragraph(n: int) -> str:
        out = []
        for sentence in rnd.choices(s, k=n):
            if pending and rnd.random() < 0.25:
                group = [pending.pop()] + ([pending.pop()] if pending and rnd.random() < 0.2 else [])
                sentence = sentence[:-1] + " [" + "; ".join("@" + k for k in group) + "]."
            elif keys and rnd.random() < 0.05:
                sentence = sentence[:-1] + f" [@{rnd.choice(keys)}]."
            out.append(sentence)
        return " ".join(out)

    parts = [paragraph(4)]
    list_at = rnd.randrange(sections)
    for i in range(sections):
        parts.append("## " + rnd.choice(pool.headings))
        parts.append(paragraph(per_paragraph))
        if i == list_at:
            parts.append("\n".join("- " + x for x in rnd.choices(s, k=3)))
        parts.append(paragraph(per_paragraph if i != list_at else per_paragraph - 2))
    if pending:  # cite whatever is left in the last paragraph
        parts[-1] = parts[-1][:-1] + " [" + "; ".join("@" + k for k in pending) + "]."
    return "\n\n".join(parts) + "\n"
