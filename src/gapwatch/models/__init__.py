"""Derived tables as SQL model files: one table per ``.sql`` file in this folder.

Each file opens with a header (name, grain, description, one line per output column), then a
SELECT in DuckDB's dialect, a Jinja template using the macros of ``macros/``. Dependencies are
read from the SQL with SQLGlot and give the order (:mod:`.graph`); :func:`with_clause` renders
the models a query needs as one ``WITH`` chain, which the Spark engine receives translated by
SQLGlot. Decision 0017 says why.
"""

from gapwatch.models.graph import models, order, sources, upstream, with_clause
from gapwatch.models.model import Model, ModelError, output_columns
from gapwatch.models.render import empty_table

__all__ = ["Model", "ModelError", "empty_table", "models", "order", "output_columns",
           "sources", "upstream", "with_clause"]
