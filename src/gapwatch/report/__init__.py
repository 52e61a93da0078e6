"""The public report: a static, offline, bilingual, accessible site built from the published
files of the privacy door (``SITE/data/``), and a PDF per school.

>>> from gapwatch.report import build_site, school_pdf   # doctest: +SKIP
>>> summary = build_site(Path("SITE/data"), Path("SITE/site"))  # doctest: +SKIP
"""

from gapwatch.report.build import build_site
from gapwatch.report.pdf import chromium_path, school_pdf
from gapwatch.report.site import SiteSummary

__all__ = ["SiteSummary", "build_site", "chromium_path", "school_pdf"]
