"""IntentNeighbourFeaturizer (rasa_components/neighbour_featurizer.py): per intent, how near a message is to
its examples (relative to the nearest intent), then how near the nearest example is (one-hot over bins cut
at the training examples' own nearest-neighbour similarities); training examples are not their own
neighbours, and a saved model gives the features the trained one gave."""

from __future__ import annotations

from tests.rasa_components.probes import run_probe


def test_neighbours_per_intent_and_how_near():
    seen = run_probe("neighbour_featurizer_probe.py")
    intents = 2  # faq, file_complaint (sorted)
    near_faq = seen["near_faq"]
    assert near_faq[:intents][0] == 1.0  # the nearest intent
    assert near_faq[1] < 0.001  # the other intent is far
    assert sum(near_faq[intents:]) == 1.0  # one bin
    assert near_faq[-1] == 1.0  # as near as the nearest training examples are to each other, or nearer
    nowhere = seen["nowhere"]
    assert nowhere[intents] == 1.0  # the lowest bin: near nothing at all
    assert seen["near_faq"] == seen["before_saving"]  # loading the saved model changes nothing
    # A training example's features leave out its own copies; a served copy of it is simply very near.
    assert seen["copy_in_training"] != seen["copy_served"]
    assert seen["copy_served"][1] == 1.0
