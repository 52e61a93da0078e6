"""The first-generation privacy door (issue 5), kept unchanged as the baseline that the
benchmark (benchmarks/privacy.py) and the leak tests (tests/test_disclosure_model.py) measure
the current door against. It models only entity sums and race/gender partitions and leaves coded
cells and goal targets unprotected (issue 13). Never used to publish."""
