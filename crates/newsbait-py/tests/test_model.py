"""The Model API: predict, classify_page, clean, load/save, pickling, threads."""

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import newsbait

NEWS = "国务院召开常务会议，部署稳就业工作。"
BAIT = "震惊！她竟然这样做，看完惊呆了"


def test_labels_are_bare_names(model):
    assert model.labels == ("clickbait", "news")
    assert "Model" in repr(model)


def test_predict_one_string_gives_one_answer(model):
    labels, probs = model.predict(NEWS)
    assert labels == ("__label__news",)
    assert isinstance(probs, np.ndarray) and probs.dtype == np.float64
    assert probs.shape == (1,) and 0.5 < probs[0] <= 1.0
    assert model.predict(BAIT)[0] == ("__label__clickbait",)


def test_predict_list_gives_lists(model):
    labels, probs = model.predict([NEWS, BAIT, NEWS])
    assert labels == [["__label__news"], ["__label__clickbait"], ["__label__news"]]
    assert len(probs) == 3 and all(isinstance(p, np.ndarray) for p in probs)
    assert probs[0][0] == probs[2][0]
    assert model.predict([]) == ([], [])


def test_predict_k_and_threshold(model):
    labels, probs = model.predict(NEWS, k=2)
    assert labels == ("__label__news", "__label__clickbait")
    assert probs[0] >= probs[1] and probs.sum() == pytest.approx(1.0)
    assert model.predict(NEWS, k=-1)[0] == labels
    assert model.predict(NEWS, k=5)[0] == labels
    # threshold keeps labels at or above it, as fastText does
    labels, probs = model.predict(NEWS, k=-1, threshold=0.5)
    assert labels == ("__label__news",)
    labels, probs = model.predict(NEWS, k=-1, threshold=1.5)
    assert labels == () and probs.shape == (0,)
    labels, probs = model.predict([NEWS, BAIT], k=-1, threshold=0.5)
    assert labels == [["__label__news"], ["__label__clickbait"]]


def test_predict_long_list_matches_one_by_one(model, pages):
    # Longer than one scoring job (1024 paragraphs): the answers come back in
    # order, each as predict gives it for the paragraph alone.
    paragraphs = [q for p in pages for q in newsbait.paragraphs(p["text"])]
    texts = (paragraphs * (3000 // len(paragraphs) + 1))[:3000]
    labels, probs = model.predict(texts, k=-1)
    assert len(labels) == len(probs) == 3000
    for i in (0, 1, 1023, 1024, 2047, 2999):
        one_labels, one_probs = model.predict(texts[i], k=-1)
        assert tuple(labels[i]) == one_labels
        assert (probs[i] == one_probs).all()
    # The arrays are writable and independent, like numpy.array's.
    probs[0][0] = -1.0
    assert probs[1][0] != -1.0
    # Any iterable of strings, and ragged rows under a threshold.
    assert model.predict(iter(texts[:50]), k=-1)[0] == labels[:50]
    labels, probs = model.predict(texts, k=-1, threshold=0.9)
    for ls, ps, full in zip(labels, probs, model.predict(texts, k=-1)[1]):
        assert len(ls) == len(ps) == int((full >= 0.9).sum())


def test_predict_leaves_the_garbage_collector_as_it_was(model):
    import gc

    assert gc.isenabled()
    model.predict([NEWS] * 10)
    assert gc.isenabled()
    gc.disable()
    try:
        model.predict([NEWS] * 10)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(TypeError):
        model.predict([NEWS] * 2000 + [42])
    assert gc.isenabled()


def test_predict_rejects_non_strings(model):
    with pytest.raises(TypeError):
        model.predict(42)
    with pytest.raises(TypeError):
        model.predict([NEWS, 42])


def test_classify_page_string_and_list(model, pages):
    text = pages[0]["text"]
    results = model.classify_page(text)
    assert [r.text for r in results] == text.split("\n")
    assert [r.label for r in results] == ["news"] * 3 + ["clickbait"] * 4
    for r in results:
        assert set(r.probabilities) == {"clickbait", "news"}
        assert sum(r.probabilities.values()) == pytest.approx(1.0)
        assert r.probability == r.probabilities[r.label] == max(r.probabilities.values())
        assert isinstance(r, newsbait.Paragraph) and r.label in repr(r)
    assert model.classify_page(text.split("\n")) == results
    # The string form splits as the command line does: blank and separator lines go.
    assert [r.text for r in model.classify_page(pages[4]["text"])] == newsbait.paragraphs(pages[4]["text"])
    assert "——————" not in newsbait.paragraphs(pages[4]["text"])
    assert model.classify_page([]) == []


def test_context_off_scores_each_paragraph_alone(model, pages):
    paragraphs = newsbait.paragraphs(pages[1]["text"])
    alone = model.classify_page(paragraphs, context=False)
    labels, probs = model.predict(paragraphs, k=-1)
    for r, ls, ps in zip(alone, labels, probs):
        assert dict(zip((l[len("__label__"):] for l in ls), ps)) == pytest.approx(r.probabilities, abs=0)
    with_context = model.classify_page(paragraphs, context=True)
    assert len(with_context) == len(alone)


def test_classify_pages_matches_one_by_one(model, pages):
    texts = [p["text"] for p in pages]
    assert model.classify_pages(texts) == [model.classify_page(t) for t in texts]
    assert model.classify_pages(texts, context=False) == [model.classify_page(t, context=False) for t in texts]


def test_clean(model, pages):
    cleaned = model.clean(pages[0]["text"])
    assert cleaned.splitlines() == pages[0]["text"].split("\n")[:3]
    assert model.clean(pages[0]["text"], keep="__label__news") == cleaned
    assert model.clean(pages[0]["text"].split("\n")) == cleaned
    bait = model.clean(pages[0]["text"], keep="clickbait").splitlines()
    assert bait[0] == "推荐阅读" and len(bait) == 4
    assert model.clean(pages[3]["text"]).strip() == ""
    texts = [p["text"] for p in pages]
    assert model.clean_pages(texts) == [model.clean(t) for t in texts]


def test_clean_unknown_label_is_an_error(model, pages):
    with pytest.raises(newsbait.Error, match="labels are clickbait, news"):
        model.clean(pages[0]["text"], keep="sports")


def test_results_do_not_depend_on_thread_count(model, pages):
    texts = [p["text"] for p in pages] * 8
    paragraphs = [q for t in texts for q in newsbait.paragraphs(t)]
    try:
        newsbait.set_num_threads(1)
        assert newsbait.get_num_threads() == 1
        one = (model.predict(paragraphs, k=-1), model.classify_pages(texts), model.clean_pages(texts))
        newsbait.set_num_threads(3)
        assert newsbait.get_num_threads() == 3
        three = (model.predict(paragraphs, k=-1), model.classify_pages(texts), model.clean_pages(texts))
    finally:
        newsbait.set_num_threads(0)
    assert one[0][0] == three[0][0]
    assert all((a == b).all() for a, b in zip(one[0][1], three[0][1]))
    assert one[1:] == three[1:]


def test_python_threads_share_a_model(model, pages):
    texts = [p["text"] for p in pages] * 4
    expected = model.clean_pages(texts)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: model.clean_pages(texts), range(8)))
    assert all(r == expected for r in results)


def test_save_load_round_trip(model, tmp_path):
    path = tmp_path / "copy.model"
    model.save(path)
    loaded = newsbait.load_model(path)
    assert loaded.to_bytes() == model.to_bytes() == path.read_bytes()
    assert loaded.labels == model.labels
    assert newsbait.load_model(str(path)).predict(NEWS, k=-1)[1].tolist() == model.predict(NEWS, k=-1)[1].tolist()
    assert newsbait.Model.from_bytes(path.read_bytes()).labels == model.labels


def test_pickle_round_trip_gives_the_same_scores(model, pages):
    copy = pickle.loads(pickle.dumps(model))
    assert copy is not model and copy.to_bytes() == model.to_bytes()
    texts = [p["text"] for p in pages]
    assert copy.classify_pages(texts) == model.classify_pages(texts)


def test_missing_file_is_an_os_error_with_the_library_message(tmp_path):
    missing = tmp_path / "nope.model"
    with pytest.raises(newsbait.FileError) as info:
        newsbait.load_model(missing)
    assert isinstance(info.value, OSError)
    assert isinstance(info.value, newsbait.Error) and isinstance(info.value, ValueError)
    assert str(missing) in str(info.value)


def test_save_to_missing_directory_is_a_file_error(model, tmp_path):
    with pytest.raises(OSError, match="cannot write"):
        model.save(tmp_path / "no" / "such" / "dir" / "m.model")
    assert not (tmp_path / "no").exists()


def test_damaged_model_is_an_error_not_a_crash(model, tmp_path):
    with pytest.raises(newsbait.Error) as info:
        newsbait.Model.from_bytes(b"this is not a model")
    assert not isinstance(info.value, OSError) and str(info.value)
    data = bytearray(model.to_bytes())
    data[len(data) // 2] ^= 0xFF
    bad = tmp_path / "bad.model"
    bad.write_bytes(bytes(data))
    with pytest.raises(newsbait.Error, match=str(bad.name)):
        newsbait.load_model(bad)
