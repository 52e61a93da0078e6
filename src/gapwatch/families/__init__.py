"""Families and students in the picture (issue 18; docs/families.md).

- :mod:`.items`, ``survey_items.toml``: the climate survey's item map, as data;
- :mod:`.languages`, ``languages.toml``: the languages families read, and the letter catalogue
  each one gets;
- :mod:`.view`, :mod:`.indicators`, :mod:`.groups`: the engagement and climate indicators over
  the ``family_year`` view, with home-language groups;
- :mod:`.letters`: progress letters to families (``gapwatch family-letters``).
"""
