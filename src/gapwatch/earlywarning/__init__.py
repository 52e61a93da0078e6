"""Early warning and tiered support (issue 7): staff only, never public.

- :mod:`.measures` / :mod:`.flags`: per-student measures and rule-based flags with reasons;
- :mod:`.model` (:mod:`.model_data`, :mod:`.model_metrics`, :mod:`.model_reasons`) and
  :mod:`.fairness`: the predictive model, judged against the rules, and its fairness audit;
- :mod:`.tiers`: Tier 1/2/3 with urgency; :mod:`.supports`: supports in place and partners;
- :mod:`.effects`: does it work? (matched comparisons);
- :mod:`.stage` / :mod:`.view`: ``gapwatch early-warning``.
"""
