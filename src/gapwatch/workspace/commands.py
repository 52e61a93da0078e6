"""The workspace's command line: ``gapwatch serve``, ``gapwatch users ...`` and
``gapwatch audit-log`` (registered on the main app by :mod:`gapwatch.cli`)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)
users_app = typer.Typer(help="Workspace accounts and roles.", no_args_is_help=True)
DB = Annotated[Path, typer.Option(help="The DuckDB warehouse the workspace serves (its "
                                  "application database is beside it unless "
                                  "GAPWATCH_DATABASE_URL is set).")]


def serve(
    db: DB = Path("gapwatch.duckdb"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8001,
    workers: Annotated[int, typer.Option(
        help="Worker processes (default: twice the cores, at most 4; each holds its own "
             "prepared copy of the year's roster and profiles).")] = 0,
    threads: Annotated[int, typer.Option(help="Threads per worker.")] = 12,
) -> None:
    """Serve the staff workspace (role-scoped pages, notes, supports, referrals, audit log)."""
    from gapwatch.warehouse import WarehouseMissing
    from gapwatch.workspace.server import serve as run_server

    try:
        run_server(db, host, port, workers or default_workers(), threads, console)
    except WarehouseMissing as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None


def default_workers() -> int:
    """Twice the cores, at most 4: Python runs one thread at a time per process, so a page's
    wait under load falls with more processes (measured at 500,000 students, 50 users: p95 of
    the profile 634-694 ms with 2 workers x 25 threads, 109-261 ms with 4 x 12;
    docs/performance.md), while each process holds its own prepared generation (about 2 GB at
    that size)."""
    return max(1, min(4, 2 * (os.cpu_count() or 1)))


def _django(db: Path) -> None:
    from gapwatch.workspace.server import prepare

    prepare(db, Console(stderr=True, quiet=True))


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option(help="district_admin, district_analyst, principal, "
                                      "counselor, teacher or partner.")],
    db: DB = Path("gapwatch.duckdb"),
    email: Annotated[str, typer.Option(help="Work email (matches single sign-on).")] = "",
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    staff_id: Annotated[str, typer.Option(help="staff_id in the warehouse (schools, "
                                          "sections).")] = "",
    partner_id: Annotated[str, typer.Option(help="partner_id of a community partner.")] = "",
    schools: Annotated[str, typer.Option(help="School ids, comma-separated (principals, "
                                         "counselors without a staff row).")] = "",
    caseload_grades: Annotated[str, typer.Option(help="Counselor split: grades, e.g. 9-10."
                                                 )] = "",
    caseload_letters: Annotated[str, typer.Option(help="Counselor split: last names, e.g. A-L."
                                                  )] = "",
    password: Annotated[str | None, typer.Option(help="Password (default: read from standard "
                                                 "input, or generated and printed).")] = None,
) -> None:
    """Create an account with its role; prints a generated password when none is given."""
    _django(db)
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from gapwatch.workspace.accounts.models import User
    from gapwatch.workspace.roles import Role
    from gapwatch.workspace.scope import letters

    if role not in Role.values:
        console.print(f"[bold red]unknown role {role!r}: use one of {', '.join(Role.values)}")
        raise typer.Exit(2)
    if User.objects.filter(username=username).exists():
        console.print(f"[bold red]an account {username!r} exists already")
        raise typer.Exit(2)
    generated = password is None and sys.stdin.isatty()
    if password is None:
        password = secrets.token_urlsafe(12) if generated else sys.stdin.readline().strip()
    first, _, last = name.partition(" ")
    user = User(username=username, email=email, role=role, staff_id=staff_id,
                partner_id=partner_id, schools=schools, caseload_grades=caseload_grades,
                caseload_letters=caseload_letters, first_name=first, last_name=last)
    try:
        letters(caseload_letters)
        validate_password(password, user)
    except (ValidationError, ValueError) as err:
        console.print(f"[bold red]{'; '.join(getattr(err, 'messages', [str(err)]))}")
        raise typer.Exit(2) from None
    user.set_password(password)
    user.save()
    typer.echo(f"created {username} ({role})" + (f"; password: {password}" if generated else ""))


@users_app.command("list")
def users_list(db: DB = Path("gapwatch.duckdb")) -> None:
    """List accounts with their roles and warehouse links."""
    _django(db)
    from gapwatch.workspace.accounts.models import User

    for u in User.objects.order_by("role", "username"):
        typer.echo("\t".join([u.username, u.role, u.email, u.staff_id, u.partner_id, u.schools,
                              "active" if u.is_active else "inactive"]))


@users_app.command("deactivate")
def users_deactivate(username: str, db: DB = Path("gapwatch.duckdb")) -> None:
    """Stop an account from signing in (its records and audit trail stay)."""
    _django(db)
    from gapwatch.workspace.accounts.models import User

    if not User.objects.filter(username=username).update(is_active=False):
        console.print(f"[bold red]no account {username!r}")
        raise typer.Exit(2)
    typer.echo(f"deactivated {username}")


@users_app.command("assign")
def users_assign(counselor: str, student_ids: list[str], db: DB = Path("gapwatch.duckdb")
                 ) -> None:
    """Assign students to a counselor's caseload."""
    _django(db)
    from gapwatch.workspace.accounts.models import CaseloadAssignment, User

    user = User.objects.filter(username=counselor, role="counselor").first()
    if user is None:
        console.print(f"[bold red]no counselor account {counselor!r}")
        raise typer.Exit(2)
    for sid in student_ids:
        CaseloadAssignment.objects.get_or_create(counselor=user, student_id=sid)
    typer.echo(f"{counselor}: {user.caseload.count()} students assigned")


def audit_log(
    since: Annotated[str, typer.Option(help="First day to include (YYYY-MM-DD).")],
    db: DB = Path("gapwatch.duckdb"),
    out: Annotated[Path | None, typer.Option(help="Write CSV here (default: standard "
                                             "output).")] = None,
) -> None:
    """Export the audit log from a day on, as CSV: who, when, what, from where."""
    from datetime import date

    try:
        first = date.fromisoformat(since)
    except ValueError:
        console.print(f"[bold red]--since {since!r}: give a date as YYYY-MM-DD")
        raise typer.Exit(2) from None
    _django(db)
    from gapwatch.workspace.audit.export import owner_only_text, write_csv

    if out is None:
        count = write_csv(sys.stdout, first)
    else:
        with owner_only_text(out) as handle:
            count = write_csv(handle, first)
    console.print(f"{count} audit events since {first}")
