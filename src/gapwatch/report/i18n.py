"""Languages of the site: gettext catalogs (Babel) and locale-aware number formatting.

The Spanish catalog is ``locale/es/LC_MESSAGES/messages.po``. It is compiled in memory when the
site is built (``babel.messages.pofile.read_po`` then ``babel.messages.mofile.write_mo``), so
no ``.mo`` file is shipped and no compile step is needed before a build or in CI. English is
the source language: its strings are the message ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "es")
#: The name of each language in itself (the text of the language switch).
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
#: Locale names for Vega's number formats on chart axes.
VEGA_LOCALES = {"en": "en-US", "es": "es-ES"}


@cache
def translations(lang: str) -> NullTranslations:
    """The gettext translations of ``lang`` (English: the identity)."""
    if lang == "en":
        return NullTranslations()
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)  # fuzzy entries are left out, as msgfmt does
    buf.seek(0)
    return Translations(fp=buf, domain="messages")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a string for the catalog without translating it here."""
    return message


_SHOWN_FEWER = re.compile(r"^fewer than (\d+) students$")
_SHOWN_CODED = re.compile(r"^([≥≤])\s*([0-9.]+)\s*%$")


@dataclass(frozen=True)
class Fmt:
    """Numbers, years and texts of one language."""

    lang: str

    @property
    def _(self):
        return translations(self.lang).gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translations(self.lang).ngettext(singular, plural, n)

    def percent(self, p: float | None, decimals: int = 1) -> str:
        """A percent value of the CSV (42.3) as text: ``42.3%`` / ``42,3 %`` (the locale's
        own percent pattern, e.g. Spanish puts a no-break space before the sign)."""
        if p is None:
            return ""
        pattern = Locale.parse(self.lang).percent_formats[None].pattern
        if decimals:
            pattern = pattern.replace("0", "0." + "0" * decimals, 1)
        return format_percent(p / 100, pattern, locale=self.lang)

    def decimal(self, x: float | None) -> str:
        return "" if x is None else format_decimal(x, "#,##0.0", locale=self.lang)

    def signed(self, x: float | None) -> str:
        """A difference with its sign: ``+3.0``, ``−12.4`` (the minus sign, not a hyphen)."""
        if x is None:
            return ""
        text = format_decimal(abs(x), "#,##0.0", locale=self.lang)
        if round(x, 1) == 0:
            return text
        return ("+" if x > 0 else "\u2212") + text

    def dollars(self, x: float | None) -> str:
        """Whole dollars in the locale's currency pattern: ``$12,457`` / ``12.457 US$``."""
        if x is None:
            return ""
        pattern = Locale.parse(self.lang).currency_formats["standard"].pattern
        return format_currency(round(x), "USD", pattern.replace(".00", ""), locale=self.lang,
                               currency_digits=False)

    def count(self, n: int | None) -> str:
        return "" if n is None else format_decimal(n, "#,##0", locale=self.lang)

    def students(self, n: int) -> str:
        """``"n = 123"`` in words: ``123 students`` / ``123 estudiantes``."""
        return self.ngettext("%(num)s student", "%(num)s students", n) % {"num": self.count(n)}

    def value(self, kind: str, x: float | None) -> str:
        """A published value in its unit: percent for rates, points for means."""
        return self.percent(x) if kind == "rate" else self.decimal(x)

    def gap(self, metric: str, x: float | None) -> str:
        unit = (self._("percentage points") if metric == "pp_difference"
                else self._("points"))
        return f"{self.signed(x)} {unit}"

    def year(self, spring_year: int) -> str:
        """School years are named by their spring year: 2025 is ``2024–25``."""
        return f"{spring_year - 1}\u2013{spring_year % 100:02d}"

    def shown(self, shown: str) -> str:
        """The door's ``shown`` text, in this language (English: exactly as published)."""
        if self.lang == "en":
            return shown
        m = _SHOWN_FEWER.match(shown.strip())
        if m:
            return self._("fewer than %(min_n)s students") % {"min_n": m.group(1)}
        m = _SHOWN_CODED.match(shown.strip())
        if m:
            cut = float(m.group(2))
            return f"{m.group(1)} {self.percent(cut, 0 if cut.is_integer() else 1)}"
        return self._(shown.strip()) if shown.strip() else shown

    def name(self, text: str) -> str:
        """Translate a published name (indicator, group) when the catalog knows it."""
        parts = [p.strip() for p in text.split(" + ")]
        return " + ".join(self._(p) for p in parts)
