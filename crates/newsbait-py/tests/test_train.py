"""Training from files and iterables, its validation, and mergeable counts."""

import pickle

import pytest

import newsbait

NEWS = "省政府召开会议，部署防汛工作。"
BAIT = "震惊！这个小妙招让你惊呆了"


def test_train_from_a_jsonl_path(data_dir):
    model = newsbait.train(data_dir / "train.jsonl")
    assert model.labels == ("clickbait", "news")
    assert model.predict(NEWS)[0] == ("__label__news",)
    assert model.predict(BAIT)[0] == ("__label__clickbait",)
    assert newsbait.train(str(data_dir / "train.jsonl")).to_bytes() == model.to_bytes()


def test_train_from_pairs_scores_like_the_file(data_dir, train_pairs):
    from_file = newsbait.train(data_dir / "train.jsonl")
    from_pairs = newsbait.train(train_pairs)
    from_generator = newsbait.train(pair for pair in train_pairs)
    probe = [NEWS, BAIT, "推荐阅读"]
    expected = from_file.predict(probe, k=-1)
    for model in (from_pairs, from_generator):
        got = model.predict(probe, k=-1)
        assert got[0] == expected[0]
        assert [p.tolist() for p in got[1]] == [p.tolist() for p in expected[1]]
    assert from_generator.to_bytes() == from_pairs.to_bytes()


def test_train_from_fasttext_format(data_dir):
    model = newsbait.train(data_dir / "train.txt")
    assert model.labels == ("clickbait", "news")
    assert model.predict(NEWS)[0] == ("__label__news",)


def test_settings_change_the_model(train_pairs):
    base = newsbait.train(train_pairs)
    for settings in (
        {"alpha": 0.5},
        {"bigrams": False},
        {"variant": "complement"},
        {"length_norm": "l1"},
        {"class_weight": "balanced"},
        {"char_ngrams": 2},
        {"shape": False},
    ):
        model = newsbait.train(train_pairs, **settings)
        assert model.labels == base.labels
        assert model.to_bytes() != base.to_bytes(), settings
    assert newsbait.train(train_pairs, class_weight=0.3).labels == base.labels
    assert newsbait.train(train_pairs, min_count=1, max_features=None).to_bytes() == base.to_bytes()


@pytest.mark.parametrize("alpha", [0, -1.0, float("nan")])
def test_alpha_must_be_positive(train_pairs, alpha):
    with pytest.raises(newsbait.Error, match="alpha"):
        newsbait.train(train_pairs, alpha=alpha)


@pytest.mark.parametrize(
    "settings",
    [{"shape_weight": 0}, {"max_features": 0}, {"variant": "bogus"}, {"length_norm": "l3"}, {"class_weight": "sometimes"}],
)
def test_invalid_settings_are_errors(train_pairs, settings):
    with pytest.raises(newsbait.Error):
        newsbait.train(train_pairs, **settings)


def test_unknown_setting_is_a_type_error(train_pairs):
    with pytest.raises(TypeError, match="epochs"):
        newsbait.train(train_pairs, epochs=5)


def test_bad_data(tmp_path):
    with pytest.raises(TypeError, match="pair"):
        newsbait.train([("news", "一", "extra")])
    with pytest.raises(TypeError):
        newsbait.train([("news", 3)])
    with pytest.raises(newsbait.Error, match="no training examples"):
        newsbait.train([])
    with pytest.raises(newsbait.Error, match="two labels"):
        newsbait.train([("news", "市政府召开会议"), ("news", "省政府发布通知")])
    with pytest.raises(newsbait.FileError):
        newsbait.train(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "news"}\nnot json\n', encoding="utf-8")
    with pytest.raises(newsbait.Error, match="no training examples"):
        newsbait.train(bad)  # malformed lines are skipped, as by newsbait-train
    with pytest.raises(newsbait.Error, match="bad.jsonl:1:"):
        newsbait.train(bad, on_invalid="error")
    with pytest.raises(newsbait.Error, match="on_invalid"):
        newsbait.train(bad, on_invalid="maybe")


counts_only = pytest.mark.skipif(newsbait.Counts is None, reason="this build has no mergeable counts")


@counts_only
def test_merged_shards_give_the_one_machine_model(train_pairs):
    whole = newsbait.train(train_pairs, alpha=0.1)
    size = (len(train_pairs) + 3) // 4
    shards = [newsbait.count(train_pairs[i : i + size], alpha=0.1) for i in range(0, len(train_pairs), size)]
    assert len(shards) == 4
    merged = shards[0].merge(shards[1:])
    assert merged.fit().to_bytes() == whole.to_bytes()
    # Counts travel as bytes (files, pickles) unchanged.
    again = [newsbait.Counts.from_bytes(s.to_bytes()) for s in shards]
    assert again[0].merge(again[1:]).fit().to_bytes() == whole.to_bytes()
    pickled = pickle.loads(pickle.dumps(shards))
    assert pickled[0].merge(pickled[1:]).fit().to_bytes() == whole.to_bytes()


@counts_only
def test_counts_are_checked(train_pairs):
    with pytest.raises(newsbait.Error):
        newsbait.Counts.from_bytes(b"not counts")
    a = newsbait.count(train_pairs[:10], alpha=0.1)
    b = newsbait.count(train_pairs[10:], alpha=0.5)
    with pytest.raises(newsbait.Error):
        a.merge([b])  # counted with other settings
    with pytest.raises(newsbait.Error, match="alpha"):
        newsbait.count(train_pairs, alpha=0)
