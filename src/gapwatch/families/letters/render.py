"""One letter as HTML, in one language, through the letter catalogue (Babel).

The catalogue is ``locale/<lang>/LC_MESSAGES/letters.po`` (English is the source language;
``locale/letters.pot`` lists every message for translators). Numbers and dates follow the
letter's language (Babel): ``92,5 %`` and ``7 de diciembre de 2026`` in Spanish. Data values
(course names, kinds of support, partner names) are printed as the district wrote them.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import Environment, PackageLoader, select_autoescape

from gapwatch.families.languages import Language
from gapwatch.families.letters.facts import LetterFacts

LOCALE = Path(__file__).with_name("locale")
SUBJECTS = {"ELA": "English language arts", "MATH": "Math", "SCI": "Science"}
SERVICES = {"TUTORING": "tutoring", "MENTAL_HEALTH": "mental health", "FOOD": "food",
            "HOUSING": "housing", "HEALTH": "health care", "AFTER_SCHOOL": "after-school programs",
            "FAMILY_SUPPORT": "family support", "OTHER": "other help"}


def N_(message: str) -> str:  # noqa: N802 - gettext's "mark now, translate later"
    return message


LEVEL_MEANING = {
    4: N_("%(name)s did better than what is expected in this grade."),
    3: N_("%(name)s met what is expected in this grade."),
    2: N_("%(name)s nearly met what is expected in this grade. A little more help can close "
          "the gap."),
    1: N_("%(name)s has not yet met what is expected in this grade. We want to work with you "
          "on this."),
}
ELPAC_MEANING = {
    1: N_("At level 1, a student is starting to learn English."),
    2: N_("At level 2, a student knows some English and is still learning."),
    3: N_("At level 3, a student uses English fairly well."),
    4: N_("At level 4, a student uses English well."),
}
_ = N_  # the names below are translated when a letter is rendered
_SUBJECT_NAMES = (_("English language arts"), _("Math"), _("Science"))
_SERVICE_NAMES = (_("tutoring"), _("mental health"), _("food"), _("housing"), _("health care"),
                  _("after-school programs"), _("family support"), _("other help"))


def catalogues() -> list[str]:
    """Languages with a letter catalogue (English needs none)."""
    return ["en", *sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/letters.po"))]


@cache
def translations(lang: str) -> NullTranslations:
    po = LOCALE / lang / "LC_MESSAGES" / "letters.po"
    if lang == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf, domain="letters")


@cache
def _env(lang: str) -> Environment:
    env = Environment(loader=PackageLoader("gapwatch.families.letters", "templates"),
                      autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(lang), newstyle=True)
    return env


def render_letter(f: LetterFacts, lang: str, today: dt.date,
                  fallback: Language | None = None) -> str:
    """The letter of ``f`` in ``lang`` (a catalogue language); ``fallback``: the family's
    language when it has no catalogue yet (the letter says so at the top)."""
    t = translations(lang)
    gt = t.gettext
    first = f.first_name or gt("your child")
    pct = lambda x: format_percent(x, "#,##0.0 %" if lang != "en" else "#,##0.0%",  # noqa: E731
                                   locale=lang)
    num = lambda x: format_decimal(x, "#,##0.#", locale=lang)  # noqa: E731
    attendance = [{"this_year": a.school_year == f.school_year,
                   "attended": num(a.days_enrolled - a.days_absent),
                   "enrolled": num(a.days_enrolled), "rate": pct(a.rate)}
                  for a in f.attendance[:2]]
    this_year = next((a for a in f.attendance if a.school_year == f.school_year), None)
    scores = []
    for s in f.scores:
        score = str(int(s.scale_score)) if s.scale_score else ""  # a scale point, no grouping
        text = (gt("score %(score)s, level %(level)s of 4.") % {"score": score, "level": s.level}
                if s.level and score else gt("score %(score)s.") % {"score": score} if score
                else "")
        scores.append({"subject": gt(SUBJECTS.get(s.subject, s.subject)), "text": text,
                       "meaning": gt(LEVEL_MEANING[s.level]) % {"name": first}
                       if s.level in LEVEL_MEANING else ""})
    english = None
    if f.english_learner and f.school_year in f.elpac:
        level, prior = f.elpac[f.school_year], f.elpac.get(f.school_year - 1)
        progress = ""
        if prior is not None:
            progress = (gt("That is up from level %(prior)s last year.") if level > prior else
                        gt("That is the same level as last year.") if level == prior else
                        gt("That is down from level %(prior)s last year.")) % {"prior": prior}
        english = {"text": gt("%(name)s is learning English. On the English test (ELPAC), "
                              "%(name)s is at level %(level)s of 4 this year.") % {
                       "name": first, "level": level},
                   "meaning": gt(ELPAC_MEANING[level]) if level in ELPAC_MEANING else "",
                   "progress": progress}
    supports = []
    for s in f.supports:
        text = (gt("%(support)s, since %(date)s.") % {
            "support": s.type, "date": format_date(s.start, format="long", locale=lang)}
            if s.start else f"{s.type}.")
        if s.contact_name:
            text += " " + gt("Call %(name)s: %(contact)s.") % {"name": s.contact_name,
                                                              "contact": s.contact}
        supports.append(text)
    partners = [gt("%(name)s (%(services)s): %(phone)s %(email)s") % {
        "name": p.name, "services": ", ".join(gt(SERVICES.get(x, x)) for x in p.services),
        "phone": p.phone, "email": p.email} for p in f.partners]
    grade = {-1: "TK", 0: "K"}.get(f.grade, str(f.grade)) if f.grade is not None else ""
    return _env(lang).get_template("letter.html").render(
        lang=lang, f=f, first=first, grade=grade, fallback=fallback,
        date=format_date(today, format="long", locale=lang),
        year=f"{f.school_year - 1}\u2013{f.school_year % 100:02d}",
        attendance=attendance, chronic=bool(this_year and this_year.rate <= 0.9),
        marks=f.marks, scores=scores, english=english, supports=supports,
        counselor=f.counselor, partners=partners)
