"""``{% options choices selected %}``: a select's options in one call. A district's 800
schools through the template language's loop cost more than the rest of the page, so the
options of one list of choices are rendered once and the selected one is marked on a copy."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@lru_cache(maxsize=512)
def _rendered(pairs: tuple[tuple[str, str], ...]) -> str:
    return "".join(f'<option value="{escape(v)}">{escape(label)}</option>'
                   for v, label in pairs)


@register.simple_tag
def options(choices: Iterable, selected: object) -> SafeString:
    """``<option>`` elements for ``(value, label)`` pairs or plain values, the one equal to
    ``selected`` marked; values and labels escaped."""
    pairs = tuple((str(c[0]), str(c[1])) if isinstance(c, (tuple, list)) else (str(c), str(c))
                  for c in choices)
    html = _rendered(pairs)
    if selected not in (None, ""):
        opening = f'<option value="{escape(str(selected))}">'
        html = html.replace(opening, opening[:-1] + " selected>", 1)
    return mark_safe(html)  # noqa: S308 - every value and label went through escape()
