"""Dataset scanning: bad files are skipped with a warning, splits share train's classes."""

import logging
import shutil

import pytest
import torch

import trainer
from conftest import CLASSES, PER_SPLIT, make_dataset


def test_corrupt_and_non_image_files_are_skipped_with_a_warning(dataset, caplog):
    with caplog.at_level(logging.WARNING, logger="dogbreed"):
        data = trainer.load_datasets(dataset, 64)
    skipped = " ".join(record.getMessage() for record in caplog.records)
    for name in ("broken.jpg", "notes.txt", "truncated.jpg"):
        assert name in skipped
    assert len(data["train"]) == PER_SPLIT["train"] * len(CLASSES)
    assert len(data["valid"]) == PER_SPLIT["valid"] * len(CLASSES)
    assert all("broken" not in path and "notes" not in path for path, _ in data["train"].samples)


def test_each_split_reads_only_its_own_folder(dataset):
    data = trainer.load_datasets(dataset, 64)
    for split in trainer.SPLITS:
        assert all(f"/{split}/" in path for path, _ in data[split].samples)


def test_classes_come_from_train_folder_names_in_index_order(dataset):
    data = trainer.load_datasets(dataset, 64)
    assert data["train"].classes == CLASSES
    assert data["valid"].class_to_idx == data["train"].class_to_idx
    image, label = data["valid"][0]
    assert image.shape == (3, 64, 64) and label == 0
    # Normalised with ImageNet statistics: values leave the [0, 1] range of raw pixels.
    assert image.min() < 0


def test_a_class_missing_from_train_is_an_error(tmp_path):
    root = make_dataset(tmp_path / "data", {"train": 2, "valid": 1, "test": 1})
    (root / "valid" / "999.Unknown").mkdir()
    shutil.copy(next((root / "valid" / CLASSES[0]).iterdir()), root / "valid" / "999.Unknown")
    with pytest.raises(ValueError, match="999.Unknown"):
        trainer.load_datasets(root, 64)


def test_a_missing_split_is_an_error(tmp_path):
    root = make_dataset(tmp_path / "data", {"train": 2, "valid": 1})
    with pytest.raises(FileNotFoundError, match="test"):
        trainer.load_datasets(root, 64)


def test_an_image_that_fails_after_the_scan_is_dropped_from_its_batch(tmp_path, caplog):
    root = make_dataset(tmp_path / "data", {"train": 2, "valid": 1, "test": 1})
    data = trainer.load_datasets(root, 64)
    gone = data["test"].samples[0][0]
    (root / "test" / CLASSES[0] / gone.rsplit("/", 1)[1]).unlink()
    with caplog.at_level(logging.WARNING, logger="dogbreed"):
        batches = list(torch.utils.data.DataLoader(
            data["test"], batch_size=8, collate_fn=trainer.collate_skipping_none
        ))
    assert len(batches) == 1 and batches[0][0].shape[0] == len(CLASSES) - 1
    assert "failed to load" in caplog.text
    assert trainer.collate_skipping_none([None, None]) is None
