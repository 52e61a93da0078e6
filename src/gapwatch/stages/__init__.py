"""The stage registry: every stage of a run, declared once, in order.

A :class:`Stage` names what it needs (contract tables or earlier stages' products), what it
produces and its :class:`Audience`. :func:`gapwatch.runner.run_stages` runs a selection of
them (:data:`RUN` for ``gapwatch run`` and ``demo``, :data:`EARLY_WARNING` for
``gapwatch early-warning``), skipping a stage whose needs are missing and recording why in
``run_status``; ``gapwatch export`` writes what :func:`exported_tables` lists.
"""

from gapwatch.stages.registry import EARLY_WARNING, RUN, STAGES, exported_tables
from gapwatch.stages.stage import Audience, Context, Outcome, Stage

__all__ = ["EARLY_WARNING", "RUN", "STAGES", "Audience", "Context", "Outcome", "Stage",
           "exported_tables"]
