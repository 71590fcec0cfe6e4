"""Shared fixtures: the shipped model and the hand-written test pages."""

import json
import pathlib

import pytest

import newsbait

DATA = pathlib.Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def model() -> newsbait.Model:
    return newsbait.load_model()


@pytest.fixture(scope="session")
def pages():
    """The test pages, as dicts with id, url and text."""
    with open(DATA / "pages.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="session")
def train_pairs():
    """The small labelled training set, as (label, text) pairs in file order."""
    with open(DATA / "train.jsonl", encoding="utf-8") as f:
        return [(r["label"], r["text"]) for r in map(json.loads, f)]


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
    return DATA
