"""What the commands write, end to end on a district whose names are spreadsheet formulas.

- every CSV (the published site's data files, the staff exports, ``allocate --out``,
  ``rejects.csv``) reads back with text cells neutralised (OWASP CSV injection: a leading
  apostrophe before ``= + - @``, tab, carriage return) while numbers stay numbers, and the
  site's pages still show the real names;
- ``--out`` refuses (exit 2, nothing touched) a non-empty folder that a previous run of the
  same command did not make, and any folder that holds the warehouse; it replaces a previous
  site or export whole, and a published site is readable by others.
"""

from __future__ import annotations

import csv
import hashlib
import html
import os
import shutil
import stat
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gapwatch.cli import app
from gapwatch.config import Config
from gapwatch.ingest import ingest_bundle
from gapwatch.runner import run_all
from gapwatch.synth import generate

from minibundle import write_minibundle

runner = CliRunner()
PAYLOADS = ('=HYPERLINK("http://evil.example/x","Click")', "+1", "-2+3", "@SUM(A1:A2)",
            "\t=1", "\r=1")
DISTRICT = "-2+3 Unified"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def tree(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder``: its bytes' digest and its mode (byte-for-byte identity)."""
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                               stat.S_IMODE(p.stat().st_mode))
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def unsafe_cells(path: Path) -> list[tuple[int, str]]:
    """Cells a spreadsheet would evaluate: beginning with a trigger and not a plain number."""
    return [(line, cell) for line, row in enumerate(rows(path), 1) for cell in row
            if cell.startswith(TRIGGERS) and not is_number(cell)]


def expected(name: str) -> str:
    return "'" + name


def foreign_folder(root: Path) -> Path:
    """A user's folder of their own files."""
    mine = root / "mine"
    (mine / "sub").mkdir(parents=True, exist_ok=True)
    (mine / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (mine / "sub" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return mine


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic district whose six schools are named by the payloads (and the district
    too), ingested and run; returns the warehouse."""
    root = tmp_path_factory.mktemp("payloads")
    generate(root / "bundle", students=700, schools=6, years=2, seed=3)
    path = root / "bundle" / "schools.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        schools = list(csv.DictReader(fh))
    for i, school in enumerate(schools):
        school.update(school_name=PAYLOADS[i % len(PAYLOADS)], district_name=DISTRICT)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(schools[0]))
        writer.writeheader()
        writer.writerows(schools)
    db = root / "w.duckdb"
    assert ingest_bundle(root / "bundle", db).exit_code == 0
    con = duckdb.connect(str(db), read_only=True)
    names = {r[0] for r in con.execute("SELECT school_name FROM schools").fetchall()}
    con.close()
    assert names == set(PAYLOADS)  # the payloads reached the warehouse unchanged
    assert run_all(db, Config()) == 0
    return db


@pytest.fixture(scope="module")
def site(district: Path) -> Path:
    out = district.parent / "site"
    result = runner.invoke(app, ["report", "--db", str(district), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_published_csvs_neutralise_names_and_keep_numbers(site: Path) -> None:
    data = site / "data"
    for path in sorted(data.glob("*.csv")):
        assert unsafe_cells(path) == [], path.name
    with (data / "indicators.csv").open(encoding="utf-8", newline="") as fh:
        cells = list(csv.DictReader(fh))
    school_names = {r["entity_name"] for r in cells if r["entity_type"] == "school"}
    assert school_names == {expected(p) for p in PAYLOADS}
    assert {r["entity_name"] for r in cells if r["entity_type"] == "district"} == {
        expected(DISTRICT)}
    with (data / "resources_schools.csv").open(encoding="utf-8", newline="") as fh:
        assert {r["school_name"] for r in csv.DictReader(fh)} == {expected(p) for p in PAYLOADS}
    # numbers stay numbers: negative gaps are written as they are, without an apostrophe
    header, *gaps = rows(data / "gaps.csv")
    negative = [r[header.index("value")] for r in gaps if r[header.index("value")][:1] == "-"]
    assert negative and all(is_number(v) for v in negative)


def test_pages_show_the_real_names(site: Path) -> None:
    page = html.unescape((site / "en" / "index.html").read_text("utf-8"))
    for name in PAYLOADS[:4]:
        assert name in page and expected(name) not in page, name
    assert DISTRICT in page and expected(DISTRICT) not in page


def test_published_site_is_readable_by_others(site: Path) -> None:
    assert list(site.glob("*/schools/*.pdf")), "Chromium printed no PDF"  # its files too
    for path in [site, *site.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))
    assert (site / ".gapwatch-site").is_file() and (site / "data" / "disclosure.json").is_file()


def test_staff_exports_neutralise_names(district: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = runner.invoke(app, ["export", "--db", str(district), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for path in sorted(out.glob("*.csv")):
        assert unsafe_cells(path) == [], path.name
    with (out / "indicator_results.csv").open(encoding="utf-8", newline="") as fh:
        results = list(csv.DictReader(fh))
    assert {r["entity_name"] for r in results if r["entity_type"] == "school"} == {
        expected(p) for p in PAYLOADS}
    with (out / "progressivity_by_school.csv").open(encoding="utf-8", newline="") as fh:
        assert {r["school_name"] for r in csv.DictReader(fh)} == {expected(p) for p in PAYLOADS}
    # the Parquet files keep the names as they are (no spreadsheet opens them)
    con = duckdb.connect()
    parquet = {r[0] for r in con.execute(
        "SELECT DISTINCT entity_name FROM read_parquet(?) WHERE entity_type = 'school'",
        [str(out / "indicator_results.parquet")]).fetchall()}
    assert parquet == set(PAYLOADS)
    # negative values are numbers, not text
    header, *gaps = rows(out / "gaps.csv")
    assert any(r[header.index("value")][:1] == "-" and is_number(r[header.index("value")])
               for r in gaps)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    assert modes == {0o600} and stat.S_IMODE(out.stat().st_mode) == 0o700
    # an earlier export is replaced whole
    (out / "indicator_results.csv").write_text("stale\n", encoding="utf-8")
    again = runner.invoke(app, ["export", "--db", str(district), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert rows(out / "indicator_results.csv")[0][0] == "school_year"


def test_allocate_out_neutralises_names(district: Path, tmp_path: Path) -> None:
    out = tmp_path / "alloc.csv"
    result = runner.invoke(app, ["allocate", "--db", str(district), "--amount", "100000",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert unsafe_cells(out) == []
    with out.open(encoding="utf-8", newline="") as fh:
        assert {r["school_name"] for r in csv.DictReader(fh)} == {expected(p) for p in PAYLOADS}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_rejects_csv_neutralises_rejected_values(tmp_path: Path) -> None:
    bundle = write_minibundle(tmp_path / "bundle")
    path = bundle / "students.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    fields = lines[2].split(",")
    fields[1] = "=1+2"  # race_ethnicity: not a code, so the row is rejected with its value
    lines[2] = ",".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "rejects.csv"
    result = runner.invoke(app, ["check", str(bundle), "--rejects", str(out)])
    assert result.exit_code == 1, result.output
    assert unsafe_cells(out) == []
    with out.open(encoding="utf-8", newline="") as fh:
        found = [r for r in csv.DictReader(fh) if r["column"] == "race_ethnicity"]
    assert [r["value"] for r in found] == ["'=1+2"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_report_refuses_a_foreign_folder_and_leaves_it_untouched(district: Path) -> None:
    mine = foreign_folder(district.parent)
    before = tree(mine)
    result = runner.invoke(app, ["report", "--db", str(district), "--out", str(mine)])
    assert result.exit_code == 2
    assert str(mine) in "".join(result.output.split())  # the message names the folder
    assert "not a previous gapwatch public site" in " ".join(result.output.split())
    assert tree(mine) == before


@pytest.mark.parametrize("where", ["parent", "ancestor"])
def test_report_never_replaces_the_warehouse_folder(district: Path, where: str) -> None:
    out = district.parent if where == "parent" else district.parent.parent
    before = tree(district.parent)
    result = runner.invoke(app, ["report", "--db", str(district), "--out", str(out)])
    assert result.exit_code == 2
    assert "holds the warehouse" in " ".join(result.output.split())
    assert tree(district.parent) == before


def test_report_replaces_a_previous_site_but_not_a_users_file_in_it(
        district: Path, site: Path) -> None:
    index = site / "en" / "index.html"
    index.write_text("stale", encoding="utf-8")  # a file of the previous site
    result = runner.invoke(app, ["report", "--db", str(district), "--out", str(site),
                                 "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert index.read_text("utf-8") != "stale"
    assert stat.S_IMODE(site.stat().st_mode) == 0o755
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".site-")]
    # a file the user put in the site: the site is not replaced, nothing changes
    (site / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = tree(site)
    refused = runner.invoke(app, ["report", "--db", str(district), "--out", str(site)])
    assert refused.exit_code == 2
    assert "notes.txt" in refused.output
    assert tree(site) == before
    # the warehouse copied into a previous site: that folder holds a warehouse now
    (site / "notes.txt").unlink()
    inside = site / "w.duckdb"
    shutil.copy(district, inside)
    try:
        held = runner.invoke(app, ["report", "--db", str(inside), "--out", str(site)])
        assert held.exit_code == 2 and "holds the warehouse" in " ".join(held.output.split())
        assert inside.is_file()
    finally:
        inside.unlink()


@pytest.mark.parametrize("command", ["export", "early-warning", "synth", "demo",
                                     "family-letters"])
def test_other_out_options_refuse_a_foreign_folder(district: Path, command: str) -> None:
    mine = foreign_folder(district.parent)
    before = tree(mine)
    args = {"export": ["export", "--db", str(district), "--out", str(mine)],
            "early-warning": ["early-warning", "--db", str(district), "--out", str(mine)],
            "synth": ["synth", str(mine), "--students", "300", "--schools", "2"],
            "demo": ["demo", "--out", str(mine), "--no-serve", "--students", "300"],
            "family-letters": ["family-letters", "--db", str(district), "--school", "0001",
                               "--out", str(mine), "--no-pdf"]}[command]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "not a previous gapwatch" in " ".join(result.output.split())
    assert tree(mine) == before


@pytest.mark.parametrize("command", ["export", "early-warning", "family-letters"])
def test_staff_exports_never_replace_the_warehouse_folder(district: Path, command: str) -> None:
    before = tree(district.parent)
    school = ["--school", "0001", "--no-pdf"] if command == "family-letters" else []
    result = runner.invoke(app, [command, "--db", str(district), "--out",
                                 str(district.parent), *school])
    assert result.exit_code == 2
    assert "holds the warehouse" in " ".join(result.output.split())
    assert tree(district.parent) == before


def test_a_site_folder_is_not_an_export_folder(district: Path, site: Path) -> None:
    before = tree(site)
    result = runner.invoke(app, ["export", "--db", str(district), "--out", str(site)])
    assert result.exit_code == 2
    assert "holds a gapwatch public site" in " ".join(result.output.split())
    assert tree(site) == before
    assert os.access(site / "index.html", os.R_OK)
