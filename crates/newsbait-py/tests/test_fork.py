"""The package after fork: multiprocessing's fork start method and os.fork.

The parent scores in parallel first, so its thread pool exists when it forks;
a child that reused it would hang (the timeouts catch that)."""

import multiprocessing
import os
import pickle

import pytest

import newsbait

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _clean_pages(texts):
    # Uses the model inherited from the parent through the module global.
    return _MODEL.clean_pages(texts), newsbait.get_num_threads()


def _fresh_model_predict(texts):
    return newsbait.load_model().predict(texts, k=-1)[0]


_MODEL = None


def test_multiprocessing_fork_children_score_like_the_parent(model, pages):
    global _MODEL
    _MODEL = model
    texts = [p["text"] for p in pages] * 4
    expected = model.clean_pages(texts)  # the parent's pool is running now
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        results = pool.map_async(_clean_pages, [texts] * 4).get(timeout=120)
        fresh = pool.map_async(_fresh_model_predict, [texts[:3]] * 2).get(timeout=120)
    for cleaned, threads in results:
        assert cleaned == expected and threads >= 1
    assert fresh[0] == model.predict(texts[:3], k=-1)[0]


def test_os_fork_child_builds_its_own_pool(model, pages):
    texts = [p["text"] for p in pages] * 4
    expected = model.classify_pages(texts)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: score in parallel, send the answer, leave at once
        try:
            os.close(read)
            answer = pickle.dumps([[(r.text, r.label, r.probability) for r in page] for page in model.classify_pages(texts)])
            with os.fdopen(write, "wb") as f:
                f.write(answer)
            os._exit(0)
        except BaseException:
            os._exit(1)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert pickle.loads(data) == [[(r.text, r.label, r.probability) for r in page] for page in expected]
