"""Flow-back from the staff workspace: supports and referrals recorded there are read as
``interventions`` before the early-warning stages run, so tiers, ``supports_in_place`` and the
intervention effects include them; the run's tiers go back as tier history.

A workspace is read when one is configured: ``GAPWATCH_DATABASE_URL`` (PostgreSQL) or
``GAPWATCH_WORKSPACE_DB`` is set, or the default SQLite file beside the warehouse
(``<warehouse>.workspace.sqlite3``) exists (docs/workspace.md).

Family contacts recorded there (a progress letter sent) go to ``workspace_family_engagement``,
which the family indicators read beside ``family_engagement``.

Rows from the workspace carry ids ``WS-S<n>`` (supports) and ``WS-R<n>`` (served referrals) and
are listed in the warehouse table ``workspace_interventions``; each run replaces the previous
run's rows, so running twice adds nothing twice.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa

from gapwatch.contract import table as contract_table
from gapwatch.warehouse import Warehouse, table_ddl


def configured(warehouse: Path) -> bool:
    """Whether a workspace database is configured for ``warehouse``."""
    if os.environ.get("GAPWATCH_DATABASE_URL") or os.environ.get("GAPWATCH_WORKSPACE_DB"):
        return True
    from gapwatch.workspace.env import default_sqlite

    return default_sqlite(Path(warehouse).resolve()).is_file()


def merge_interventions(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> int:
    """Replace the workspace's rows of ``interventions`` with ``rows`` (one transaction)."""
    wh = Warehouse(con)
    have = wh.tables()
    with wh.transaction(), wh.registered("__ws", rows):
        if "interventions" not in have:
            con.execute(table_ddl(contract_table("interventions")))
        if "workspace_interventions" in have:
            con.execute("DELETE FROM interventions WHERE intervention_id IN "
                        "(SELECT intervention_id FROM workspace_interventions)")
        clash = con.execute("SELECT list(intervention_id) FROM interventions WHERE "
                            "intervention_id IN (SELECT intervention_id FROM __ws)").fetchone()[0]
        if clash:
            raise ValueError(f"interventions from the bundle already use the workspace's ids "
                             f"{clash[:5]}: rename them in the bundle")
        con.execute("INSERT INTO interventions BY NAME SELECT * FROM __ws")
        wh.store("workspace_interventions", "SELECT intervention_id, student_id, school_year, "
                 "now() AS imported_at FROM __ws")
    return rows.num_rows


def import_workspace(con: duckdb.DuckDBPyConnection, warehouse: Path) -> int | None:
    """Read the workspace's supports and served referrals into ``con``'s ``interventions``;
    None when no workspace is configured for ``warehouse``."""
    if not configured(warehouse):
        return None
    from gapwatch.workspace import setup

    setup(warehouse)
    from gapwatch.workspace.flowback import workspace_engagement, workspace_interventions

    merge_engagement(con, workspace_engagement())
    return merge_interventions(con, workspace_interventions())


def merge_engagement(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> int:
    """Replace ``workspace_family_engagement`` (family contacts recorded in the workspace, in
    the columns of ``family_engagement``; the family indicators read both)."""
    return Warehouse(con).store("workspace_family_engagement", rows)


def export_tiers(warehouse: Path, tiers: pa.Table) -> int | None:
    """Record the run's tiers as history in the workspace (None: no workspace)."""
    if not configured(warehouse):
        return None
    from gapwatch.workspace import setup

    setup(warehouse)
    from gapwatch.workspace.flowback import record_tiers

    return record_tiers(tiers)
