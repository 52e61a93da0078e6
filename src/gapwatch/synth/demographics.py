"""Who each student is: race, gender, language, English-learner history, disability, need,
and the latent ability and risk that drive every outcome.

A student's traits are drawn given the need of the school they first enroll in (scaled by
``segregation``), so compositions differ by school; intercepts are calibrated on the first
year's population so the district-wide shares match the parameters. Ability and risk are never
written to the bundle: :func:`gapwatch.synth.latent_table` returns them for checks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import numpy as np

from gapwatch.synth.calendar import day_number
from gapwatch.synth.params import SynthParams
from gapwatch.synth.util import categorical, logistic_intercept, shares_array, solve_intercept

RACES = ("AA", "AI", "AS", "FI", "HI", "PI", "WH", "MR", "NR")
GENDERS = ("F", "M", "X")
EL_CODES = ("EO", "IFEP", "EL", "RFEP", "TBD")
EO, IFEP, EL, RFEP, TBD = range(5)
NEVER = 9999  # reclassification year of students who never reclassify

# Per SD of (segregation-scaled) need: how race shares shift (log-odds), after LAUSD-like
# residential patterns (approximation).
RACE_NEED_SLOPE = np.array([0.6, 0.0, -1.0, -0.4, 1.0, 0.2, -1.4, -0.8, 0.0])
RACE_SED = np.array([0.3, 0.0, -0.6, -0.3, 0.3, 0.0, -1.0, -0.4, 0.0])
RACE_NON_ENGLISH = np.array([-3.0, -1.5, 1.2, 0.2, 1.2, -0.5, -1.0, -1.5, 0.0])

LANGUAGES = (
    "English", "Spanish", "Mandarin", "Cantonese", "Vietnamese", "Korean", "Tagalog", "Armenian",
    "Russian", "Arabic", "Farsi", "Japanese", "Khmer", "Thai", "Amharic", "Hindi", "Punjabi",
    "Samoan", "Tongan", "Portuguese", "French", "Other",
)
_L = {name: i for i, name in enumerate(LANGUAGES)}
#: Home languages of non-English-speaking homes by race/ethnicity (approximation).
LANGUAGE_BY_RACE: dict[str, dict[str, float]] = {
    "AA": {"Amharic": 0.3, "Spanish": 0.3, "French": 0.2, "Other": 0.2},
    "AI": {"Spanish": 0.6, "Other": 0.4},
    "AS": {"Mandarin": 0.22, "Korean": 0.22, "Vietnamese": 0.14, "Cantonese": 0.12,
           "Japanese": 0.06, "Khmer": 0.05, "Thai": 0.05, "Hindi": 0.05, "Punjabi": 0.04,
           "Tagalog": 0.02, "Other": 0.03},
    "FI": {"Tagalog": 0.9, "Other": 0.1},
    "HI": {"Spanish": 0.985, "Portuguese": 0.005, "Other": 0.01},
    "PI": {"Samoan": 0.45, "Tongan": 0.45, "Other": 0.1},
    "WH": {"Armenian": 0.35, "Russian": 0.2, "Arabic": 0.15, "Farsi": 0.15, "French": 0.05,
           "Spanish": 0.05, "Other": 0.05},
    "MR": {"Spanish": 0.5, "Tagalog": 0.1, "Korean": 0.1, "Mandarin": 0.1, "Other": 0.2},
    "NR": {"Spanish": 0.7, "Other": 0.3},
}
_LANG_PROBS = np.array(
    [[LANGUAGE_BY_RACE[r].get(name, 0.0) for name in LANGUAGES] for r in RACES]
)

#: CALPADS disability category codes (as understood here; verify against CALPADS code sets).
DISABILITY_CODES = ("210", "220", "230", "240", "250", "260", "270", "280", "290", "300", "310",
                    "320", "330")
_DIS_EARLY = np.array([.08, .02, .01, .30, .01, .01, .02, .08, .10, .002, .03, .30, .008])
_DIS_LATE = np.array([.04, .01, .005, .10, .005, .07, .005, .17, .52, 0, .005, .06, .005])
_ALT_WEIGHT = np.array([6, .1, .1, .1, .1, .1, 1, .1, .1, 6, 6, 1.2, 2])
ONSET_GRADES = np.arange(-1, 9)
_ONSET_P = np.array([.10, .25, .15, .14, .12, .08, .05, .05, .03, .03])


@dataclass
class Students:
    """Every student ever enrolled, as parallel arrays (index = student number)."""

    race: np.ndarray  # int8 into RACES
    gender: np.ndarray  # int8 into GENDERS
    birth: np.ndarray  # int32 day number
    language: np.ndarray  # int16 into LANGUAGES
    el_ever: np.ndarray  # bool: English learner when first enrolled in a US school
    ifep: np.ndarray  # bool
    us_entry_year: np.ndarray  # int16 school year of first US school enrollment
    us_entry_date: np.ndarray  # int32 day number
    reclass_t: np.ndarray  # float64 latent years to reclassify (inf = never)
    reclass_year: np.ndarray  # int16 school year in which reclassified (NEVER = not)
    reclass_date: np.ndarray  # int32 day number
    sed_base: np.ndarray  # bool
    frpm_u: np.ndarray  # float32
    swd_ever: np.ndarray  # bool
    swd_onset: np.ndarray  # int8 grade of identification
    disability: np.ndarray  # int8 into DISABILITY_CODES
    alt_assess: np.ndarray  # bool: takes the CAA / Alternate ELPAC
    migrant: np.ndarray  # bool
    dual_u: np.ndarray  # float32
    homeless_mult: np.ndarray  # float32 relative propensity
    foster_mult: np.ndarray  # float32
    homeless: np.ndarray  # bool, current year (updated yearly)
    foster: np.ndarray  # bool, current year (updated yearly)
    ability: np.ndarray  # float32 latent achievement (SD units)
    risk: np.ndarray  # float32 latent risk of absence, discipline and dropout
    egy: np.ndarray  # int16 expected graduation year (first-time 9th grade + 3)
    arrival_year: np.ndarray  # int16 first school year in the district
    newcomer: np.ndarray  # bool: arrived in grades 1-12 after the first year

    def __len__(self) -> int:
        return int(self.race.size)

    def append(self, other: Students) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, np.concatenate([getattr(self, f.name), getattr(other, f.name)]))


@dataclass
class Model:
    """Intercepts calibrated on the first year, reused for every later arrival."""

    race_a: np.ndarray
    sed_a: float = 0.0
    non_english_a: float = 0.0
    swd_a: float = 0.0
    homeless_norm: float = 1.0
    foster_norm: float = 1.0
    migrant_norm: float = 1.0
    alt_norm: float = 1.0
    reclass_scale: float = 5.0


def _race_logits(model: Model, zs: np.ndarray) -> np.ndarray:
    return model.race_a[None, :] + zs[:, None] * RACE_NEED_SLOPE[None, :]


def calibrate(zs: np.ndarray, grade: np.ndarray, p: SynthParams) -> Model:
    """Intercepts that give the parameter shares on a first-year population with need ``zs``."""
    target = shares_array(p.shares("race_shares"), RACES)
    model = Model(race_a=np.log(np.maximum(target, 1e-12)))
    zu, counts = np.unique(zs, return_counts=True)
    w = counts / counts.sum()
    for _ in range(200):
        lg = _race_logits(model, zu)
        pr = np.exp(lg - lg.max(axis=1, keepdims=True))
        pr /= pr.sum(axis=1, keepdims=True)
        current = w @ pr
        model.race_a = model.race_a + np.log(np.maximum(target, 1e-12) / np.maximum(current,
                                                                                    1e-12))
    return model


def draw(
    model: Model,
    zs: np.ndarray,
    grade: np.ndarray,
    year: int,
    p: SynthParams,
    rng: np.random.Generator,
    *,
    immigrant: np.ndarray | None = None,
    arrival_day: np.ndarray | None = None,
    first: bool = False,
) -> Students:
    """Draw students entering ``grade`` in school year ``year`` at schools of need ``zs``.

    With ``first`` the intercepts of ``model`` are calibrated on this population first.
    ``immigrant`` students arrive from abroad this year (US school entry = ``arrival_day``).
    """
    n = zs.size
    grade = grade.astype(np.int64)
    immigrant = np.zeros(n, dtype=bool) if immigrant is None else immigrant
    lg = _race_logits(model, zs)
    pr = np.exp(lg - lg.max(axis=1, keepdims=True))
    race = categorical(rng.random(n), pr).astype(np.int8)
    gender = categorical(rng.random(n), shares_array(p.shares("gender_shares"), GENDERS))
    male = gender == 1

    x_sed = 1.6 * zs + RACE_SED[race]
    if first:
        model.sed_a = logistic_intercept(x_sed, p.sed_share)
    sed = rng.random(n) < 1 / (1 + np.exp(-(model.sed_a + x_sed)))

    ever_share = p.el_share + p.rfep_share + p.ifep_share
    x_ne = RACE_NON_ENGLISH[race] + 0.6 * zs + 0.5 * sed
    if first:
        model.non_english_a = logistic_intercept(x_ne, ever_share)
    non_english = (rng.random(n) < 1 / (1 + np.exp(-(model.non_english_a + x_ne)))) | immigrant
    u_ifep = rng.random(n)
    ifep_cut = p.ifep_share / ever_share
    ifep = non_english & (u_ifep < np.where(immigrant, 0.1, ifep_cut))
    el_ever = non_english & ~ifep
    language = np.zeros(n, dtype=np.int16)
    ne = np.flatnonzero(non_english)
    language[ne] = categorical(rng.random(ne.size), _LANG_PROBS[race[ne]])

    # disabilities: identified at an onset grade; categories depend on onset
    onset = ONSET_GRADES[categorical(rng.random(n), _ONSET_P)].astype(np.int8)
    x_swd = 0.6 * male + 0.3 * sed
    if first:
        cdf = np.cumsum(_ONSET_P)
        share_by_now = cdf[np.clip(grade + 1, 0, cdf.size - 1)]
        model.swd_a = solve_intercept(
            lambda c: float(np.mean(share_by_now / (1 + np.exp(-(c + x_swd))))), p.swd_share)
    swd_ever = rng.random(n) < 1 / (1 + np.exp(-(model.swd_a + x_swd)))
    early = onset <= 0
    dis = np.where(
        early,
        categorical(rng.random(n), _DIS_EARLY),
        categorical(rng.random(n), _DIS_LATE),
    ).astype(np.int8)
    alt_w = _ALT_WEIGHT[dis]
    if first:
        model.alt_norm = float(alt_w[swd_ever].mean()) if swd_ever.any() else 1.0
    alt = swd_ever & (rng.random(n) < np.minimum(p.caa_share_of_swd * alt_w / model.alt_norm,
                                                 0.95))

    # homelessness, foster care, migrant status: relative propensities
    h_mult = np.exp(0.5 * zs + 0.7 * sed)
    f_mult = np.exp(0.3 * zs + 0.8 * sed)
    m_mult = np.where((race == RACES.index("HI")) & sed, 4.0, 0.2)
    if first:
        model.homeless_norm = float(h_mult.mean())
        model.foster_norm = float(f_mult.mean())
        model.migrant_norm = float(m_mult.mean())
    h_mult = h_mult / model.homeless_norm
    f_mult = f_mult / model.foster_norm
    homeless = rng.random(n) < np.minimum(p.homeless_share * h_mult, 0.9)
    foster = rng.random(n) < np.minimum(p.foster_share * f_mult, 0.9)
    migrant = rng.random(n) < np.minimum(p.migrant_share * m_mult / model.migrant_norm, 0.9)

    ability = (
        -p.sed_effect * sed
        - p.swd_effect * swd_ever * (1 + 1.5 * alt)
        - p.foster_effect * foster
        - p.homeless_effect * homeless
        + rng.normal(0, 0.85, n)
    )
    risk = (
        0.45 * sed + 0.6 * homeless + 0.8 * foster + 0.3 * swd_ever - 0.35 * ability
        + 0.15 * zs + rng.normal(0, 0.8, n)
    )

    # US school entry: at TK/K, or later for students born abroad
    foreign = immigrant | (el_ever & (rng.random(n) < p.el_foreign_born_share) & (grade >= 1))
    entry_grade = np.where(rng.random(n) < 0.25, -1, 0)
    entry_grade = np.minimum(entry_grade, grade)
    later = rng.integers(1, np.maximum(grade, 1) + 1)
    entry_grade = np.where(foreign & ~immigrant, np.minimum(later, grade), entry_grade)
    entry_year = np.where(immigrant, year, year - (grade - entry_grade)).astype(np.int16)
    aug = np.array([day_number(date(int(y) - 1, 8, 14)) for y in range(1900, 2101)])
    start = aug[entry_year - 1900]
    spread = np.where(foreign, rng.integers(0, 250, n), rng.integers(0, 10, n))
    entry_date = (start + spread).astype(np.int32)
    if arrival_day is not None:
        entry_date = np.where(immigrant, arrival_day, entry_date).astype(np.int32)

    # latent years to reclassification: faster with ability, slower with an IEP
    never = rng.random(n) < np.where(swd_ever, 4, 1) * p.never_reclassify_share
    t_base = np.exp(0.45 * rng.normal(0, 1, n) - p.reclass_ability_effect * ability)
    t_base = np.where(swd_ever, 1.8, 1.0) * t_base
    t_base = np.where(el_ever & ~never, t_base, np.inf)
    reclass_date_offset = rng.integers(0, 243, n)  # October 1 .. May 31

    age = grade + 5 + (rng.random(n) < 0.03)
    sept1 = np.array([day_number(date(y, 9, 1)) for y in range(1900, 2101)])
    birth = sept1[year - 1 - age - 1900] - rng.integers(0, 365, n)

    st = Students(
        race=race,
        gender=gender.astype(np.int8),
        birth=birth.astype(np.int32),
        language=language,
        el_ever=el_ever,
        ifep=ifep,
        us_entry_year=entry_year,
        us_entry_date=entry_date,
        reclass_t=t_base,
        reclass_year=np.full(n, NEVER, dtype=np.int16),
        reclass_date=reclass_date_offset.astype(np.int32),
        sed_base=sed,
        frpm_u=rng.random(n).astype(np.float32),
        swd_ever=swd_ever,
        swd_onset=onset,
        disability=dis,
        alt_assess=alt,
        migrant=migrant,
        dual_u=rng.random(n).astype(np.float32),
        homeless_mult=h_mult.astype(np.float32),
        foster_mult=f_mult.astype(np.float32),
        homeless=homeless,
        foster=foster,
        ability=ability.astype(np.float32),
        risk=risk.astype(np.float32),
        egy=(year + 12 - grade).astype(np.int16),
        arrival_year=np.full(n, year, dtype=np.int16),
        newcomer=np.zeros(n, dtype=bool),
    )
    if first:
        model.reclass_scale = _calibrate_reclass(st, year, p)
    _set_reclassification(st, model.reclass_scale)
    return st


def _reclass_years(t_base: np.ndarray, entry_year: np.ndarray, scale: float) -> np.ndarray:
    k = np.maximum(1, np.ceil(np.minimum(scale * t_base, 200)))
    years = entry_year + k
    return np.where(np.isfinite(t_base), years, NEVER).astype(np.int16)


def _calibrate_reclass(st: Students, year: int, p: SynthParams) -> float:
    """Scale of the years-to-reclassify so the first year's RFEP:EL split matches."""
    ever = st.el_ever
    if not ever.any():
        return 5.0
    target = p.rfep_share / (p.el_share + p.rfep_share)
    t, e = st.reclass_t[ever], st.us_entry_year[ever]

    def rfep_share(log_scale: float) -> float:
        # decreasing in the scale: solve on -log(scale)
        return float(np.mean(_reclass_years(t, e, float(np.exp(-log_scale))) < year))

    return float(np.exp(-solve_intercept(rfep_share, target, lo=-5.0, hi=5.0)))


def _set_reclassification(st: Students, scale: float) -> None:
    st.reclass_year = _reclass_years(st.reclass_t, st.us_entry_year, scale)
    oct1 = np.array([day_number(date(y - 1, 10, 1)) for y in range(1900, 2101)])
    ry = np.clip(st.reclass_year, 1900, 2100) - 1900
    st.reclass_date = (oct1[ry] + st.reclass_date).astype(np.int32)


def el_status(st: Students, idx: np.ndarray, year: int) -> np.ndarray:
    """EL status code of students ``idx`` in school year ``year`` (RFEP from the school year
    after the reclassification date)."""
    code = np.full(idx.size, EO, dtype=np.int8)
    code[st.ifep[idx]] = IFEP
    ever = st.el_ever[idx]
    code[ever] = np.where(st.reclass_year[idx][ever] < year, RFEP, EL)
    return code
