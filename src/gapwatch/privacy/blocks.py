"""The blocks of one round, answered: small blocks joined into one linear program, big rounds
spread over worker processes (:func:`workers`), each block's linear programs those of
:mod:`gapwatch.privacy.solve`. The answers are the same whichever way a block is solved."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from typing import NamedTuple

from gapwatch.privacy.solve import _MEMO, MEMO_SIZE, Proof, _key, extremes, spread


class Task(NamedTuple):
    """One block's question: the ranges of ``wanted`` under ``rows`` and the boxes ``lo``,
    ``hi`` (indexed by variable, holding at least the block's variables)."""

    wanted: list[int]
    rows: list
    lo: dict[int, float]
    hi: dict[int, float]


Answer = tuple[dict[int, tuple[float, float]], dict[int, Proof] | None]

#: Blocks are solved in worker processes when :func:`workers` is open and a round holds at
#: least this many variables in all (below it, starting and feeding the workers costs more)
PARALLEL_FROM = 20_000
#: the number of worker processes (default: the machine's cores; 1: none)
WORKERS_ENV = "GAPWATCH_PRIVACY_WORKERS"
_POOL: dict[str, object] = {}


@contextmanager
def workers() -> Iterator[None]:
    """Let :func:`solve_blocks` use worker processes until the block ends (started only when
    a round is big enough; ``GAPWATCH_PRIVACY_WORKERS=1`` turns them off). The commands open
    it; a program calling :func:`gapwatch.privacy.publish` itself opens it only if its main
    module can be imported again without running (``if __name__ == "__main__":``), as every
    program using Python's ``multiprocessing`` must."""
    _POOL["open"] = True
    try:
        yield
    finally:
        pool = _POOL.pop("pool", None)
        _POOL.pop("open", None)
        if pool is not None:
            pool.shutdown(cancel_futures=True)  # type: ignore[attr-defined]


def _answer(task: Task, k: int, exact: bool, proofs: bool) -> Answer:
    if not task.wanted:
        return {}, ({} if proofs else None)
    if exact:
        return extremes(task.wanted, task.rows, task.lo, task.hi), None
    found: dict[int, Proof] | None = {} if proofs else None
    return spread(task.wanted, task.rows, task.lo, task.hi, k, proofs=found), found


def _answer_all(tasks: list[Task], k: int, exact: bool, proofs: bool) -> list[Answer]:
    return [_answer(t, k, exact, proofs) for t in tasks]


SMALL_BLOCK = 64  #: blocks of fewer variables are solved together ...
BATCH = 2000  #: ... up to this many variables in one linear program


def solve_blocks(tasks: list[Task], k: int, exact: bool = False,
                 proofs: bool = False) -> list[Answer]:
    """The answer to each block's question (:func:`spread`, or :func:`extremes` when
    ``exact``), in order. For :func:`spread`, small blocks are first joined into one linear
    program each :data:`BATCH` variables (:func:`_join`): independent blocks side by side have
    the same optima, block by block, as each alone, and one model instead of hundreds saves
    the set-up of each (the district's thousands of two-variable blocks)."""
    if exact:
        return _solve_apart(tasks, k, exact, proofs)
    joined, parts = _join(tasks)
    answers = _solve_apart(joined, k, exact, proofs)
    out: list[Answer | None] = [None] * len(tasks)
    for (ends, found), members in zip(answers, parts, strict=True):
        if len(members) == 1:
            out[members[0]] = (ends, found)
            continue
        offset = 0
        for i in members:  # proofs name rows by position: each block's start at 0 again
            mine = set(tasks[i].wanted)
            out[i] = ({v: e for v, e in ends.items() if v in mine},
                      None if found is None else
                      {v: (frozenset(r - offset for r in rows), cols)
                       for v, (rows, cols) in found.items() if v in mine})
            offset += len(tasks[i].rows)
    return out  # type: ignore[return-value]


def _join(tasks: list[Task]) -> tuple[list[Task], list[list[int]]]:
    """The tasks with the small ones joined (in order, up to :data:`BATCH` variables each),
    and for each the positions of the tasks it holds."""
    joined: list[Task] = []
    parts: list[list[int]] = []
    batch: list[int] = []
    size = 0
    for i, t in enumerate(tasks + [Task([], [], {}, {})]):  # the empty last one closes
        small = i < len(tasks) and t.wanted and len(t.lo) < SMALL_BLOCK
        if batch and (not small or size + len(t.lo) > BATCH):
            held = [tasks[j] for j in batch]
            joined.append(Task([v for h in held for v in h.wanted],
                               [r for h in held for r in h.rows],
                               {v: b for h in held for v, b in h.lo.items()},
                               {v: b for h in held for v, b in h.hi.items()}))
            parts.append(batch)
            batch, size = [], 0
        if i == len(tasks):
            break
        if small:
            batch.append(i)
            size += len(t.lo)
        else:
            joined.append(t)
            parts.append([i])
    return joined, parts


def _solve_apart(tasks: list[Task], k: int, exact: bool = False,
                 proofs: bool = False) -> list[Answer]:
    """Each task's answer, in order: inside :func:`workers` a big round goes to worker
    processes, the largest blocks first and the small ones in batches; the answers are the
    same as in one process (each block's LPs are the same)."""
    count = int(os.environ.get(WORKERS_ENV) or os.cpu_count() or 1)
    size = sum(len(t.lo) for t in tasks)
    if not _POOL.get("open") or count < 2 or size < PARALLEL_FROM or len(tasks) < 2:
        return _answer_all(tasks, k, exact, proofs)
    out: list[Answer | None] = [None] * len(tasks)
    keys = [_key("extremes" if exact else "spread", 0 if exact else k, proofs and not exact,
                 t.wanted, t.rows, t.lo, t.hi) if t.wanted else None for t in tasks]
    for i, key in enumerate(keys):  # blocks already answered (in this process) or empty
        if key is None or key in _MEMO:
            out[i] = _answer(tasks[i], k, exact, proofs)
    left = [i for i in range(len(tasks)) if out[i] is None]
    pool = _POOL.get("pool")
    if pool is None:
        pool = _POOL["pool"] = ProcessPoolExecutor(count, mp_context=get_context("forkserver"))
    order = sorted(left, key=lambda i: -len(tasks[i].lo))
    batches: list[list[int]] = []
    for i in order:  # a batch is one big block or many small ones (a few thousand variables)
        if batches and sum(len(tasks[j].lo) for j in batches[-1]) + len(tasks[i].lo) <= 4000:
            batches[-1].append(i)
        else:
            batches.append([i])
    futures = [pool.submit(_answer_all, [tasks[i] for i in b], k, exact, proofs)  # type: ignore[attr-defined]
               for b in batches]
    for batch, future in zip(batches, futures, strict=True):
        for i, answer in zip(batch, future.result(), strict=True):
            out[i] = answer
            ends, found = answer
            _remember(keys[i], ends if exact else (ends, found))
    return out  # type: ignore[return-value]


def _remember(key: tuple | None, value: object) -> None:
    if key is not None:
        _MEMO[key] = value  # type: ignore[assignment]
        if len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)
