"""What an ingest or check found: per table counts, refusals, notes, and the Rich summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

EXIT_CLEAN = 0
EXIT_REJECTED_ROWS = 1
EXIT_REFUSED = 2


@dataclass(frozen=True)
class TableReport:
    """Rows of one contract table: read = loaded + rejected, always."""

    table: str
    files: tuple[str, ...]
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    warnings: int
    ignored_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_loaded + self.rows_rejected:  # pragma: no cover
            raise AssertionError(
                f"{self.table}: {self.rows_read} read != {self.rows_loaded} loaded + "
                f"{self.rows_rejected} rejected: a row was lost; this is a gapwatch bug"
            )


@dataclass
class IngestReport:
    """The outcome of ``gapwatch check`` or ``gapwatch ingest``."""

    bundle: Path
    tables: dict[str, TableReport] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    examples: list[tuple[str, int | None, str, str, str, str]] = field(default_factory=list)
    problems_total: int = 0
    rejects_path: Path | None = None
    db: Path | None = None
    source: str = "gapwatch"  #: the layout read (``--from``)
    coverage: list = field(default_factory=list)  #: sources.coverage.Coverage per indicator
    sources: list = field(default_factory=list)  #: sources.coverage.TableSource per table

    @property
    def rows_rejected(self) -> int:
        return sum(t.rows_rejected for t in self.tables.values())

    @property
    def warnings(self) -> int:
        return sum(t.warnings for t in self.tables.values())

    @property
    def exit_code(self) -> int:
        if self.refusals:
            return EXIT_REFUSED
        return EXIT_REJECTED_ROWS if self.rows_rejected else EXIT_CLEAN

    def render(self) -> RenderableType:
        parts: list[RenderableType] = []
        if self.tables:
            parts.append(self._counts_table())
        if self.examples:
            parts.append(self._examples_table())
        if self.coverage:
            parts.append(self._coverage_table())
        for note in self.notes:
            parts.append(Text(f"note: {note}", style="dim"))
        for refusal in self.refusals:
            parts.append(Text(f"refused: {refusal}", style="bold red"))
        parts.append(Text(self.verdict(), style=_VERDICT_STYLE[self.exit_code]))
        return Group(*parts)

    def verdict(self) -> str:
        where = f" (every problem: {self.rejects_path})" if self.rejects_path else ""
        if self.exit_code == EXIT_REFUSED:
            kept = " The previous warehouse is untouched." if self.db else ""
            return f"Refused: nothing was loaded.{kept}"
        loaded = f"Loaded into {self.db}." if self.db else "Checked; nothing loaded."
        if self.exit_code == EXIT_REJECTED_ROWS:
            return f"{loaded} {self.rows_rejected:,} row(s) rejected{where}."
        warn = f" {self.warnings:,} warning(s){where}." if self.warnings else ""
        return f"{loaded} Every row passed.{warn}"

    def _counts_table(self) -> RichTable:
        out = RichTable(title="rows read = loaded + rejected", title_justify="left")
        for name in ("table", "file", "read", "loaded", "rejected", "warnings"):
            out.add_column(name, justify="left" if name in ("table", "file") else "right")
        for t in self.tables.values():
            out.add_row(
                t.table, ", ".join(t.files), f"{t.rows_read:,}", f"{t.rows_loaded:,}",
                f"[red]{t.rows_rejected:,}[/]" if t.rows_rejected else "0",
                f"[yellow]{t.warnings:,}[/]" if t.warnings else "0",
            )
        return out

    def _examples_table(self) -> RichTable:
        shown = len(self.examples)
        title = f"first {shown} of {self.problems_total:,} problems" if shown else "problems"
        out = RichTable(title=title, title_justify="left")
        for name in ("file", "line", "column", "value", "problem"):
            out.add_column(name, overflow="fold")
        for file, line, column, value, reason, severity in self.examples:
            style = "red" if severity == "error" else "yellow"
            out.add_row(file, str(line or ""), column, value, Text(reason, style=style))
        return out


    def _coverage_table(self) -> RenderableType:
        given = ", ".join(f"{t.table} ({t.columns}/{t.of} columns)" for t in self.sources)
        yes = [c.indicator for c in self.coverage if c.computable]
        no = [c for c in self.coverage if not c.computable]
        head = Text(f"{self.source} data: tables given: {given or 'none'}.\n"
                    f"can compute: {', '.join(yes) or 'nothing'}", style="dim")
        if not no:
            return head
        out = RichTable(title="cannot compute", title_justify="left")
        out.add_column("indicator")
        out.add_column("missing", overflow="fold")
        for c in no:
            out.add_row(c.indicator, c.missing)
        return Group(head, out)


_VERDICT_STYLE = {EXIT_CLEAN: "bold green", EXIT_REJECTED_ROWS: "bold yellow",
                  EXIT_REFUSED: "bold red"}
