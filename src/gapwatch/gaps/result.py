"""The result of every gap metric: one frozen record with its uncertainty and its verdicts."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

#: Two-sided 95% normal quantile, 1.959963984540054.

NAN = float("nan")


@dataclass(frozen=True)
class Gap:
    """A gap between two groups, with a 95% interval and what the numbers allow us to say.

    - ``value``: the metric (percentage points, a ratio, an effect size, ...); NaN when the
      metric cannot be computed from these data, and ``note`` then says why.
    - ``se``: standard error of ``value`` (NaN when the method has none).
    - ``ci_low``, ``ci_high``: the 95% interval of the method named in the metric's docstring.
    - ``within_noise``: the interval contains the null value (0 for differences and effect sizes,
      1 for ratios and indices), so the data cannot tell the gap from sampling noise.
    - ``flagged``: the metric's own rule for a gap of concern (each function says which).

    >>> g = make_gap("pp_difference", -15.0, 6.8, -27.7, -1.6, null=0.0)
    >>> g.within_noise, g.flagged, g.computed
    (False, True, True)
    >>> undefined_gap("ratio", "reference rate is 0").computed
    False
    """

    metric: str
    value: float
    se: float
    ci_low: float
    ci_high: float
    flagged: bool
    within_noise: bool
    note: str = ""

    @property
    def computed(self) -> bool:
        """True when the data allowed the metric to be computed."""
        return math.isfinite(self.value)


def make_gap(
    metric: str, value: float, se: float, ci_low: float, ci_high: float, *,
    null: float, flagged: bool | None = None, note: str = "",
) -> Gap:
    """Build a computed :class:`Gap`; ``flagged`` defaults to "the interval excludes ``null``"."""
    lo, hi = float(ci_low), float(ci_high)
    within = bool(lo <= null <= hi)
    return Gap(
        metric=metric, value=float(value), se=float(se), ci_low=lo, ci_high=hi,
        flagged=(not within) if flagged is None else bool(flagged), within_noise=within,
        note=note,
    )


def undefined_gap(metric: str, note: str) -> Gap:
    """A :class:`Gap` that the data do not allow us to compute, with the reason in ``note``."""
    return Gap(metric=metric, value=NAN, se=NAN, ci_low=NAN, ci_high=NAN, flagged=False,
               within_noise=False, note=note)


@dataclass(frozen=True)
class GapArrays:
    """m gaps of one metric as columns: the batch form of :class:`Gap` that every metric's
    kernel returns (the scalar functions take row 0)."""

    metric: str
    value: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    flagged: np.ndarray  #: bool
    within_noise: np.ndarray  #: bool
    note: np.ndarray  #: object (str)

    def __len__(self) -> int:
        return int(self.value.size)

    def gap(self, i: int = 0) -> Gap:
        """Row ``i`` as a :class:`Gap` (NaN as the one :data:`NAN`, so that equal gaps compare
        equal, as those :func:`undefined_gap` makes)."""
        def f(col: np.ndarray) -> float:
            x = float(col[i])
            return NAN if x != x else x

        return Gap(metric=self.metric, value=f(self.value), se=f(self.se),
                   ci_low=f(self.ci_low), ci_high=f(self.ci_high),
                   flagged=bool(self.flagged[i]), within_noise=bool(self.within_noise[i]),
                   note=str(self.note[i]))

    def gaps(self) -> list[Gap]:
        return [self.gap(i) for i in range(len(self))]


def gap_arrays(metric: str, value: ArrayLike, se: ArrayLike, ci_low: ArrayLike,
               ci_high: ArrayLike, *, null: float, undefined: np.ndarray | None = None,
               reason: np.ndarray | None = None, flagged: ArrayLike | None = None,
               note: ArrayLike | None = None) -> GapArrays:
    """Columns of gaps, as :func:`make_gap` builds one, with the rows in ``undefined`` (a bool
    mask) made as :func:`undefined_gap` makes one, ``reason`` giving their note."""
    value, se, lo, hi = (np.array(v, dtype=float) for v in (value, se, ci_low, ci_high))
    shape = value.shape
    with np.errstate(invalid="ignore"):
        within = (lo <= null) & (null <= hi)
    flag = ~within if flagged is None else np.broadcast_to(np.asarray(flagged, bool), shape)
    flag = flag.copy()
    notes = np.empty(shape, dtype=object)
    notes[...] = "" if note is None else note
    if undefined is not None and undefined.any():
        for col in (value, se, lo, hi):
            col[undefined] = NAN
        flag[undefined] = False
        within = within & ~undefined
        if reason is not None:
            notes[undefined] = reason[undefined]
    return GapArrays(metric, value, se, lo, hi, flag, within, notes)


def pick(choices: list[tuple[np.ndarray, str | np.ndarray]], shape: tuple[int, ...]
         ) -> tuple[np.ndarray, np.ndarray]:
    """(undefined mask, reason) from ``(condition, reason)`` pairs in order of precedence: the
    first true condition of a row gives its reason (a text, or one text per row), as the scalar
    functions return early."""
    reason = np.empty(shape, dtype=object)
    reason[...] = ""
    undefined = np.zeros(shape, dtype=bool)
    for cond, text in choices:
        new = np.broadcast_to(cond, shape) & ~undefined
        reason[new] = text[new] if isinstance(text, np.ndarray) else text
        undefined |= new
    return undefined, reason


def floats(*columns: ArrayLike) -> list[np.ndarray]:
    """Each argument as a float array of at least one dimension, broadcast together."""
    return list(np.broadcast_arrays(*(np.atleast_1d(np.asarray(c, dtype=float))
                                      for c in columns)))


def texts(template: str, values: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """``template.format(v)`` for each value (an object array of notes); only ``where`` it is
    true when given, "" elsewhere."""
    out = np.empty(values.shape, dtype=object)
    out[...] = ""
    mask = np.ones(values.shape, bool) if where is None else np.broadcast_to(where,
                                                                             values.shape)
    out[mask] = [template.format(v) for v in values[mask].tolist()]
    return out
