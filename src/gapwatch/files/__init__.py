"""The one home for how gapwatch writes files (docs/report.md, "Files and permissions").

- :mod:`gapwatch.files.private`: owner-only files and folders from the moment they exist
  (built in a 0700 folder and renamed; an owner-only umask where that cannot be done);
- :mod:`gapwatch.files.safecsv`: every CSV gapwatch writes, text cells neutralised against
  spreadsheet formula injection;
- :mod:`gapwatch.files.folders`: which ``--out`` folders may be replaced, and replacing them
  whole and atomically.
"""

from __future__ import annotations

from gapwatch.files.folders import (
    FolderRefused,
    check_replaceable,
    claim_folder,
    marker_name,
    replace_folder,
)
from gapwatch.files.private import owner_only, private_file, set_modes
from gapwatch.files.safecsv import (
    copy_query,
    copy_table,
    neutralise,
    read_rows,
    restore,
    write_arrow,
    write_rows,
)

__all__ = [
    "FolderRefused", "check_replaceable", "claim_folder", "copy_query", "copy_table",
    "marker_name",
    "neutralise", "owner_only", "private_file", "read_rows", "replace_folder", "restore",
    "set_modes", "write_arrow", "write_rows",
]
