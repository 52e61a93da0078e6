"""The privacy door: everything the public site shows passes through this package.

- :class:`Policy`: minimum cell size, k, top/bottom coding (``privacy.*`` settings);
- :func:`publish` / :func:`write_published`: the public tables and ``SITE/data``;
- :func:`audit_disclosure`: re-check a published ``SITE/data`` folder from its files alone;
- :mod:`gapwatch.privacy.model` and :mod:`gapwatch.privacy.relations`: the disclosure model
  (every relation a reader can derive), shared by the door and the audit;
- :mod:`gapwatch.privacy.bounds`: the linear-programming attack both use;
- :mod:`gapwatch.privacy.legacy`: the first door, kept only as a baseline.
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
