"""Metric lines, their regexes and the per-sample averages behind them."""

import re

import torch

import trainer
from conftest import parse_metrics

EXPECTED_NAMES = [
    "train_loss", "train_accuracy", "valid_loss", "valid_accuracy", "test_loss", "test_accuracy",
]


def test_definitions_have_the_shape_sagemaker_takes(metric_definitions):
    assert [d["Name"] for d in metric_definitions] == EXPECTED_NAMES
    for definition in metric_definitions:
        assert set(definition) == {"Name", "Regex"}
        assert 1 <= len(definition["Regex"]) <= 500  # MetricDefinition.Regex length limit
        assert re.compile(definition["Regex"]).groups == 1


def test_epoch_line_parses_to_each_value(metric_definitions):
    line = trainer.format_epoch_line(
        3, trainer.Scores(0.693147, 0.5, 10), trainer.Scores(1.25, 0.875, 8)
    )
    found = parse_metrics([line], metric_definitions)
    assert found == {
        "train_loss": [0.693147], "train_accuracy": [0.5],
        "valid_loss": [1.25], "valid_accuracy": [0.875],
        "test_loss": [], "test_accuracy": [],
    }


def test_final_line_repeats_selected_valid_scores_then_test(metric_definitions):
    line = trainer.format_final_line(2, trainer.Scores(0.4, 0.9, 8), trainer.Scores(0.5, 0.75, 8))
    found = parse_metrics([line], metric_definitions)
    assert found["valid_accuracy"] == [0.9] and found["valid_loss"] == [0.4]
    assert found["test_accuracy"] == [0.75] and found["test_loss"] == [0.5]
    assert found["train_loss"] == [] and found["train_accuracy"] == []


def test_other_output_lines_match_no_metric(metric_definitions):
    lines = [
        "resumed checkpoint=/opt/ml/checkpoints/checkpoint-0001.pth epochs_done=1",
        "interrupted checkpoint=/opt/ml/checkpoints/checkpoint-0001.pth epochs_done=1",
        "epoch=1 train_loss=nan train_accuracy=nan valid_loss=nan valid_accuracy=nan",
    ]
    assert all(values == [] for values in parse_metrics(lines, metric_definitions).values())


def test_loss_and_accuracy_are_averaged_per_sample_not_per_batch():
    totals = trainer.Totals()
    # A batch of 3 with mean loss 1.0 (all right) and a last batch of 1 with loss 5.0 (wrong).
    totals.add(1.0, torch.tensor([[2.0, 0.0]] * 3), torch.tensor([0, 0, 0]))
    totals.add(5.0, torch.tensor([[0.0, 2.0]]), torch.tensor([0]))
    scores = totals.scores()
    assert scores.samples == 4
    assert scores.loss == (1.0 * 3 + 5.0) / 4  # per batch it would be 3.0
    assert scores.accuracy == 0.75  # correct / samples, never floor(correct / batches)


def test_selection_prefers_accuracy_then_lower_loss():
    best = {"valid_accuracy": 0.5, "valid_loss": 1.0}
    assert trainer.is_better(trainer.Scores(2.0, 0.6, 4), best)
    assert not trainer.is_better(trainer.Scores(0.1, 0.4, 4), best)
    assert trainer.is_better(trainer.Scores(0.9, 0.5, 4), best)
    assert not trainer.is_better(trainer.Scores(1.1, 0.5, 4), best)
    assert trainer.is_better(trainer.Scores(9.0, 0.0, 4), None)
