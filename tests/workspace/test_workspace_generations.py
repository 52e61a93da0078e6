"""Generations of the served warehouse: the first is prepared before any page reads it; a new
file is prepared in the background while the old generation goes on answering; a preparation
that fails leaves the old generation serving."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import duckdb
import pytest

from gapwatch.workspace.warehouse import Snapshot, Warehouse


def _write(path: Path, value: int) -> None:
    """A one-table warehouse holding ``value``, swapped in as the nightly run does."""
    tmp = path.with_name(path.name + ".new")
    con = duckdb.connect(str(tmp))
    con.execute("CREATE TABLE t AS SELECT ? AS v", [value])
    con.close()
    os.replace(tmp, path)


def _value(warehouse: Warehouse) -> int:
    snap = warehouse.snapshot()
    try:
        return snap.value("SELECT v FROM t")
    finally:
        snap.close()


class Gate:
    """A prepare hook that waits for :meth:`open` (or raises when told to)."""

    def __init__(self) -> None:
        self.gate, self.calls, self.fail = threading.Event(), 0, False

    def __call__(self, snap: Snapshot) -> None:
        self.calls += 1
        assert self.gate.wait(30)
        if self.fail:
            raise RuntimeError("preparation failed")
        snap.generation.facts["prepared"] = snap.value("SELECT v FROM t")

    def reached(self, calls: int, timeout: float = 30) -> bool:
        """Whether the preparation thread has entered the hook ``calls`` times (it starts in
        the background: opening the file may take longer than ``fresh_wait`` on a busy
        machine)."""
        deadline = time.monotonic() + timeout
        while self.calls < calls and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.calls == calls


@pytest.fixture
def served(tmp_path: Path) -> tuple[Path, Warehouse, Gate]:
    path = tmp_path / "w.duckdb"
    _write(path, 1)
    gate = Gate()
    warehouse = Warehouse(path, prepare=gate)
    warehouse.fresh_wait = 0.2
    return path, warehouse, gate


def test_nothing_is_served_before_the_first_generation_is_prepared(served) -> None:
    _, warehouse, gate = served
    assert not warehouse.ready()  # preparing, answered after fresh_wait
    assert gate.reached(1)
    gate.gate.set()
    assert _value(warehouse) == 1  # waits for the preparation under way, does not start another
    assert warehouse.ready() and gate.calls == 1


def test_a_new_file_is_prepared_while_the_old_generation_answers(served) -> None:
    path, warehouse, gate = served
    gate.gate.set()
    assert _value(warehouse) == 1
    gate.gate.clear()
    _write(path, 2)
    assert _value(warehouse) == 1  # the new one is being prepared: the old one answers
    assert gate.reached(2)
    assert _value(warehouse) == 1 and gate.calls == 2  # one preparation at a time
    gate.gate.set()
    warehouse.fresh_wait = 30
    assert _value(warehouse) == 2
    snap = warehouse.snapshot()
    assert snap.generation.facts["prepared"] == 2
    snap.close()


def test_a_failed_preparation_leaves_the_old_generation_serving(served, caplog) -> None:
    path, warehouse, gate = served
    gate.gate.set()
    assert _value(warehouse) == 1
    gate.fail = True
    _write(path, 3)
    warehouse.fresh_wait = 30  # wait for the preparation to end
    assert _value(warehouse) == 1
    assert "could not prepare the new warehouse" in caplog.text
    gate.fail = False
    assert _value(warehouse) == 3  # tried again on the next request
