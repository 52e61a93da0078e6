"""The privacy door: everything the public site shows passes through this package.

- :class:`Policy`: minimum cell size, k, top/bottom coding (``privacy.*`` settings);
- :func:`publish` / :func:`write_published`: the public tables and ``SITE/data``;
- :func:`audit_disclosure`: re-check a published ``SITE/data`` folder from its files alone;
- :mod:`gapwatch.privacy.bounds`: the linear-programming engine both use.
"""

from gapwatch.privacy import bounds
from gapwatch.privacy.audit import AuditReport, Problem, audit_disclosure
from gapwatch.privacy.bounds import Bound, Cell, Links, pinned
from gapwatch.privacy.door import Published, publish
from gapwatch.privacy.policy import Policy
from gapwatch.privacy.tables import write_published

__all__ = [
    "AuditReport", "Bound", "Cell", "Links", "Policy", "Problem", "Published",
    "audit_disclosure", "bounds", "pinned", "publish", "write_published",
]
