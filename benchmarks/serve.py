"""Load on the staff workspace: p95 latency of "My students" and the student profile under 50
concurrent users, against a plain page of the same server as the baseline.

    python benchmarks/serve.py --students 500000 [--db existing.duckdb] [--postgres URL]
        [--connections 50] [--seconds 20]

Builds (or reuses) a synthetic warehouse with early-warning tables, makes a private PostgreSQL
database for the application (dropped at the end; --sqlite for the default file), starts
`gapwatch serve` on 127.0.0.1, signs in one account per role, and drives each page with wrk
(Debian's `wrk`; every request goes to 127.0.0.1, each run is bounded by --seconds): each of
--connections users waits --think-ms between requests (0: back to back, the server's
throughput), drawn
uniformly between half and one and a half times that so that users do not click in step. The
baseline is the sign-in page (a template, no warehouse, no database query). Prints a table:
requests, requests per second, p50, p95, p99 and p95 against the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
GAPWATCH = [sys.executable, "-m", "gapwatch.cli"]
PASSWORD = "benchmark-password-1"
LUA = r"""
local paths, i = {}, 0
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local think = tonumber(os.getenv("WRK_THINK_MS") or "0")
math.randomseed(os.time())
delay = function()  -- uniform on [think/2, 3 think/2]: users do not click in step
  if think == 0 then return 0 end
  return math.random(math.floor(think / 2), math.floor(3 * think / 2))
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %.3f, "errors": %d, "non2xx": %d, '
    .. '"p50": %.3f, "p95": %.3f, "p99": %.3f}\n', summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def build(root: Path, students: int) -> Path:
    """A synthetic district: synth, ingest, early warning."""
    bundle, db = root / "bundle", root / "district.duckdb"
    env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    for args in (["synth", str(bundle), "--students", str(students), "--schools",
                  str(max(40, students // 500)), "--years", "3", "--seed", "7"],
                 ["ingest", str(bundle), "--db", str(db)],
                 ["early-warning", "--db", str(db), "--out", str(root / "ew")]):
        t0 = time.perf_counter()
        done = subprocess.run(GAPWATCH + args, env=env, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            sys.exit(f"gapwatch {args[0]} failed:\n{done.stderr[-3000:]}")
        print(f"gapwatch {args[0]}: {time.perf_counter() - t0:.0f} s", flush=True)
    return db


def accounts(db: Path) -> dict[str, list[str]]:
    """`gapwatch users create` options per role, from the warehouse."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        year = con.execute("SELECT max(school_year) FROM enrollments").fetchone()[0]
        teacher, school = con.execute(
            "SELECT teacher_staff_id, school_id FROM sections WHERE school_year = ? AND "
            "teacher_staff_id IS NOT NULL ORDER BY enrolled DESC NULLS LAST LIMIT 1",
            [year]).fetchone()
    finally:
        con.close()
    return {"district_admin": [], "principal": ["--schools", school],
            "teacher": ["--staff-id", teacher]}


def students(db: Path, school: str | None, n: int = 2000) -> list[str]:
    """Students of the latest year (at ``school``: those whose latest enrollment is there, as
    the workspace's roster places them)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        sql = ("SELECT student_id FROM enrollments WHERE school_year = "
               "(SELECT max(school_year) FROM enrollments) GROUP BY student_id")
        sql += " HAVING arg_max(school_id, entry_date) = ?" if school else ""
        return [r[0] for r in con.execute(sql + f" ORDER BY hash(student_id) LIMIT {n}",
                                          [school] if school else []).fetchall()]
    finally:
        con.close()


def wrk(url: str, paths: list[str], cookie: str, connections: int, seconds: int,
        work: Path, think_ms: int) -> dict:
    listing, script = work / "paths.txt", work / "wrk.lua"
    listing.write_text("\n".join(paths) + "\n")
    script.write_text(LUA)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
                          "--timeout", "10s", "-s", str(script), "-H", f"Cookie: {cookie}",
                          url], env=os.environ | {"WRK_PATHS": str(listing),
                                                 "WRK_THINK_MS": str(think_ms)},
                         capture_output=True, text=True, timeout=seconds + 60)
    line = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if not line:
        sys.exit(f"wrk failed: {out.stdout}\n{out.stderr}")
    return json.loads(line[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=500_000)
    ap.add_argument("--db", type=Path, help="reuse this warehouse (after early-warning)")
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--sqlite", action="store_true", help="the default SQLite file instead")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=12)
    ap.add_argument("--think-ms", type=int, default=1000,
                    help="each user waits this long between requests on average (uniform "
                         "from half to 1.5 times; 0: back to back)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="gapwatch-serve-bench-"))
    db = args.db or build(work, args.students)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GAPWATCH_")}
    env |= {"PYTHONPATH": str(ROOT / "src"), "GAPWATCH_SECRET_KEY": "bench-" + "x" * 60,
            "GAPWATCH_WORKSPACE_DB": str(work / "workspace.sqlite3")}
    dbname = f"gapwatch_bench_{os.getpid()}"
    if not args.sqlite:
        with psycopg.connect(args.postgres, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{dbname}"')
        env["GAPWATCH_DATABASE_URL"] = args.postgres.rsplit("/", 1)[0] + "/" + dbname
    server = None
    try:
        roles = accounts(db)
        for role, extra in roles.items():
            subprocess.run(GAPWATCH + ["users", "create", role, "--role", role, "--db", str(db),
                                       *extra], env=env, input=PASSWORD + "\n", text=True,
                           check=True, capture_output=True)
        port = 8600 + os.getpid() % 300
        server = subprocess.Popen(GAPWATCH + ["serve", "--db", str(db), "--port", str(port),
                                              "--workers", str(args.workers), "--threads",
                                              str(args.threads)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        ready, started = 0, time.monotonic()  # every worker has prepared the warehouse
        while ready < 4 * args.workers and time.monotonic() - started < 1800:
            try:
                ok = requests.get(url + "/ready/", timeout=10).status_code == 200
                ready = ready + 1 if ok else 0
            except requests.RequestException:
                ready = 0
            time.sleep(0.2)
        print(f"server ready after {time.monotonic() - started:.1f} s", file=sys.stderr)
        cookies = {}
        for role in roles:
            s = requests.Session()
            s.get(url + "/login/")
            s.post(url + "/login/", data={"username": role, "password": PASSWORD,
                                          "csrfmiddlewaretoken": s.cookies["csrftoken"]})
            cookies[role] = f"sessionid={s.cookies['sessionid']}"
        school = roles["principal"][1]
        everyone = students(db, None)
        at_school = students(db, school)
        runs = [("baseline: sign-in page", "district_admin", ["/login/"]),
                ("My students, principal (one school)", "principal", ["/students/"]),
                ("My students, principal, filtered", "principal",
                 ["/students/?no_support=1&tier=2", "/students/?sort=name&page=3",
                  "/students/?group=EL&no_note=1"]),
                ("My students, teacher (own sections)", "teacher", ["/students/"]),
                ("My students, district admin (everyone)", "district_admin", ["/students/"]),
                ("student profile, principal", "principal",
                 [f"/students/{sid}/" for sid in at_school]),
                ("student profile, district admin", "district_admin",
                 [f"/students/{sid}/" for sid in everyone])]
        probe = duckdb.connect(str(db), read_only=True)
        n = probe.execute("SELECT count(DISTINCT student_id) FROM enrollments WHERE school_year "
                          "= (SELECT max(school_year) FROM enrollments)").fetchone()[0]
        tiers = "student_tiers" in {r[0] for r in probe.execute(
            "SELECT table_name FROM duckdb_tables()").fetchall()}
        probe.close()
        print(f"\n{n:,} students in the latest year ({'with' if tiers else 'without'} "
              "early-warning tables); application database: "
              f"{'SQLite' if args.sqlite else 'PostgreSQL'}; {args.connections} connections, "
              f"{args.think_ms} ms between a user's requests, "
              f"{args.seconds} s per page; gunicorn {args.workers} workers x {args.threads} "
              f"threads on {os.cpu_count()} cores\n")
        print(f"{'page':42} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'p99 ms':>7} {'p95/base':>8} {'errors':>6}")
        base = None
        for name, role, paths in runs:
            r = wrk(url, paths, cookies[role], args.connections, args.seconds, work,
                    args.think_ms)
            base = base or r["p95"]
            print(f"{name:42} {r['requests']:>8} {r['requests'] / r['seconds']:>7.1f} "
                  f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} "
                  f"{r['p95'] / base:>8.1f} {r['errors'] + r['non2xx']:>6}", flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.sqlite:
            with psycopg.connect(args.postgres, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
