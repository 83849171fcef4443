"""Explanations of the identity model (marts.identity_match_explanations, identity_review_queue): each
level reads as what it means."""

from __future__ import annotations

from ml.linkage.compare import PERSON_FIELDS
from ml.linkage.explain import level_label


def test_explanations_tell_the_initial_levels_apart():
    """'H.' fitting Johannes only as Hans is a weaker level than 'J.' fitting Johannes: the review queue
    shows which one decided."""
    initial = next(f for f in PERSON_FIELDS if f.name == "initial")
    assert [level_label(initial, v) for v in (-1, 0, 1, 2)] == [
        "missing",
        "does not fit",
        "fits a name it is called by",
        "fits",
    ]
