"""Progress letters to families, one per student, in the family's language (issue 18).

:mod:`.facts` reads one school's students from the warehouse, :mod:`.render` writes each
letter (HTML, printed to PDF by Chromium) through the letter catalogue, :mod:`.write` puts
them in an owner-only folder and logs the generation. Staff only: never public.
"""

from gapwatch.families.letters.write import LetterSummary, write_letters

__all__ = ["LetterSummary", "write_letters"]
