"""NewsbaitFilter in a datatrove pipeline."""

import gzip
import json
import pickle

import pytest

pytest.importorskip("datatrove")

from datatrove.data import Document  # noqa: E402
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

import newsbait  # noqa: E402
from newsbait.datatrove import NewsbaitFilter  # noqa: E402


def read_jsonl(folder):
    docs = []
    for path in sorted(folder.rglob("*.jsonl*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            docs.extend(json.loads(line) for line in f)
    return {d["id"]: d for d in docs}


def test_filter_cuts_bait_and_keeps_the_text_as_it_was(model):
    text = "省政府召开全体会议 部署今年重点工作\n\n  会议要求各地各部门坚持稳中求进。  \n推荐阅读\n震惊！她每天早上喝一杯这个\n"
    doc = Document(text=text, id="x")
    step = NewsbaitFilter()
    assert step.filter(doc) is True
    assert doc.text == "省政府召开全体会议 部署今年重点工作\n\n  会议要求各地各部门坚持稳中求进。  \n"
    assert doc.metadata["newsbait_removed_paragraphs"] == 2
    assert len(doc.metadata["newsbait_scores"]) == 4
    assert doc.metadata["newsbait_scores"][0] > 0.5 > doc.metadata["newsbait_scores"][3]
    removed = len("推荐阅读") + len("震惊！她每天早上喝一杯这个")
    total = removed + len("省政府召开全体会议 部署今年重点工作") + len("会议要求各地各部门坚持稳中求进。")
    assert doc.metadata["newsbait_removed"] == pytest.approx(removed / total)


def test_filter_drops_a_document_with_no_news(pages):
    doc = Document(text=pages[3]["text"], id="p4")
    assert NewsbaitFilter().filter(doc) == (False, "no_news")
    assert doc.text == pages[3]["text"]  # left whole for the exclusion writer
    assert doc.metadata["newsbait_removed"] == 1.0


def test_filter_checks_its_label_and_ships_without_its_model():
    step = NewsbaitFilter(keep="sports")
    with pytest.raises(ValueError, match="sports"):
        step.model
    step = NewsbaitFilter(keep="__label__news")
    assert step.keep == "news"
    step.filter(Document(text="市政府召开会议", id="a"))
    assert step._model is not None
    assert pickle.loads(pickle.dumps(step))._model is None


@pytest.mark.parametrize("workers", [1, 2])
def test_local_pipeline(tmp_path, pages, model, workers):
    # Two input files, so that two tasks (forked workers when workers=2) share them.
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(2):
        with open(inputs / f"pages-{i}.jsonl", "w", encoding="utf-8") as f:
            for page in pages[i::2]:
                f.write(json.dumps(page, ensure_ascii=False) + "\n")
    model.clean("市政府召开会议")  # the parent's pool is running before the fork
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(inputs)),
            NewsbaitFilter(exclusion_writer=JsonlWriter(str(tmp_path / "removed"), compression=None), batch_size=2),
            JsonlWriter(str(tmp_path / "out"), compression=None),
        ],
        tasks=2,
        workers=workers,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    kept = read_jsonl(tmp_path / "out")
    removed = read_jsonl(tmp_path / "removed")
    assert sorted(kept) == ["p1", "p2", "p3", "p5"]
    assert sorted(removed) == ["p4"]
    assert removed["p4"]["metadata"]["filter_reason"] == "no_news"
    for page in pages:
        if page["id"] in kept:
            doc = kept[page["id"]]
            # The same paragraphs as the library's clean, the same text around them.
            assert newsbait.paragraphs(doc["text"]) == model.clean(page["text"]).splitlines()
            assert doc["metadata"]["url"] == page["url"]
            assert 0 <= doc["metadata"]["newsbait_removed"] < 1
    assert kept["p3"]["text"] == pages[2]["text"]
    assert kept["p3"]["metadata"]["newsbait_removed"] == 0
