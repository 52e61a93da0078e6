"""Published reference values that several parts of gapwatch use (one home each).

Smarter Balanced threshold scale scores (lowest score of Levels 2, 3, 4), approved November 2014
(cde.ca.gov/ta/tg/ca/sbelathresholdscre.asp, sbmaththresholdscre.asp), and the lowest/highest
obtainable scale scores since 2020-21 (ETS CAASPP Scoring and Reporting Guide, Appendix A);
both as restated in ../shared/design/METHODS.md section 1.2.
"""

from __future__ import annotations

SBAC_GRADES: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 11)

#: (subject, grade) -> lowest scale score of Levels 2, 3 and 4.
SBAC_THRESHOLDS: dict[tuple[str, int], tuple[int, int, int]] = {
    ("ELA", 3): (2367, 2432, 2490), ("MATH", 3): (2381, 2436, 2501),
    ("ELA", 4): (2416, 2473, 2533), ("MATH", 4): (2411, 2485, 2549),
    ("ELA", 5): (2442, 2502, 2582), ("MATH", 5): (2455, 2528, 2579),
    ("ELA", 6): (2457, 2531, 2618), ("MATH", 6): (2473, 2552, 2610),
    ("ELA", 7): (2479, 2552, 2649), ("MATH", 7): (2484, 2567, 2635),
    ("ELA", 8): (2487, 2567, 2668), ("MATH", 8): (2504, 2586, 2653),
    ("ELA", 11): (2493, 2583, 2682), ("MATH", 11): (2543, 2628, 2718),
}

#: (subject, grade) -> lowest and highest obtainable scale score (2020-21 onward).
SBAC_SCALE_RANGE: dict[tuple[str, int], tuple[int, int]] = {
    ("ELA", 3): (2115, 2650), ("MATH", 3): (2190, 2660),
    ("ELA", 4): (2140, 2690), ("MATH", 4): (2205, 2700),
    ("ELA", 5): (2200, 2730), ("MATH", 5): (2220, 2740),
    ("ELA", 6): (2230, 2770), ("MATH", 6): (2235, 2780),
    ("ELA", 7): (2260, 2810), ("MATH", 7): (2250, 2820),
    ("ELA", 8): (2290, 2850), ("MATH", 8): (2265, 2860),
    ("ELA", 11): (2300, 2900), ("MATH", 11): (2280, 2900),
}
