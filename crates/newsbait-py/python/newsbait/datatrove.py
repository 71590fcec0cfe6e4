"""A datatrove filter that removes clickbait paragraphs from documents.

>>> from datatrove.executor import LocalPipelineExecutor
>>> from datatrove.pipeline.readers import JsonlReader
>>> from datatrove.pipeline.writers import JsonlWriter
>>> from newsbait.datatrove import NewsbaitFilter
>>> LocalPipelineExecutor(
...     pipeline=[
...         JsonlReader("pages/"),
...         NewsbaitFilter(exclusion_writer=JsonlWriter("removed/")),
...         JsonlWriter("clean/"),
...     ],
...     tasks=4,
... ).run()

The filter works in datatrove's paragraph mode (the split of
``FastTextClassifierFilter(filter_mode="PARAGRAPH")``): each non-blank line of
``doc.text`` with the blank lines after it is a unit. Lines of only separators
(``——————``) are removed, as the command line skips them. The units of a document
are labelled together, with page context (so a 推荐阅读 heading opens a teaser
list), and those whose label is not ``keep`` are cut out; the rest of the text
is left exactly as it was. A document with no ``keep`` paragraph left is
dropped (to the ``exclusion_writer``, with its text untouched and
``filter_reason = "no_news"``).

Metadata written to every document (``metadata_prefix`` defaults to
``"newsbait_"``):

- ``newsbait_scores``: per paragraph, in order, the probability of ``keep``;
- ``newsbait_removed``: the share of the paragraphs' characters removed (0..1);
- ``newsbait_removed_paragraphs``: how many paragraphs were removed.

The model is loaded lazily, once in each worker, and is never pickled with the
filter (only its path).
"""

from __future__ import annotations

import os
from typing import List, Optional, Tuple, Union

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.text import SPLIT_TEXT_PARAGRAPHS, split_into_parts

import newsbait

__all__ = ["NewsbaitFilter"]


def _is_paragraph(unit: str) -> bool:
    """Whether a unit holds a paragraph (not only blanks or a separator line
    such as ``——————``, which the command line skips too)."""
    return bool(unit.strip()) and bool(newsbait.paragraphs(unit.splitlines()[0]))


class NewsbaitFilter(BaseFilter):
    """Removes the paragraphs of ``doc.text`` that are not ``keep`` (default
    ``"news"``) and drops documents with none left.

    Args:
        model_path: a model file; None for the model shipped in the package.
        keep: the label to keep (a bare name, or ``__label__news``).
        context: decode each document's paragraphs with page context (default)
            or score each on its own.
        exclusion_writer: a datatrove writer that receives dropped documents.
        batch_size: documents labelled together, in parallel, by one call.
        save_scores: write the metadata described in the module's docstring.
        metadata_prefix: prefix of the metadata keys.
    """

    name = "📰 newsbait"

    def __init__(
        self,
        model_path: Optional[Union[str, "os.PathLike[str]"]] = None,
        keep: str = "news",
        context: bool = True,
        exclusion_writer: Optional[DiskWriter] = None,
        batch_size: int = 64,
        save_scores: bool = True,
        metadata_prefix: str = "newsbait_",
    ):
        super().__init__(exclusion_writer, batch_size)
        self.model_path = None if model_path is None else os.fspath(model_path)
        self.keep = keep[len(newsbait.LABEL_PREFIX):] if keep.startswith(newsbait.LABEL_PREFIX) else keep
        self.context = context
        self.save_scores = save_scores
        self.metadata_prefix = metadata_prefix
        self._model: Optional[newsbait.Model] = None

    @property
    def model(self) -> newsbait.Model:
        """The model, loaded on first use in this process."""
        if self._model is None:
            model = newsbait.load_model(self.model_path)
            if self.keep not in model.labels:
                raise ValueError(
                    f"keep={self.keep!r} is not a label of this model; its labels are {', '.join(model.labels)}"
                )
            self._model = model
        return self._model

    def __getstate__(self):
        # Ship the path, not the model: each worker loads its own.
        state = self.__dict__.copy()
        state["_model"] = None
        return state

    def filter(self, doc: Document) -> Union[bool, Tuple[bool, str]]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: List[Document]) -> List[Union[bool, Tuple[bool, str]]]:
        units_of = []
        pages = []
        for doc in batch:
            # Units that hold text, with their position among all units.
            units = split_into_parts(doc.text, mode=SPLIT_TEXT_PARAGRAPHS)
            units_of.append(units)
            # A unit's first line is its paragraph, as the command line reads it.
            pages.append([u.splitlines()[0] for u in units if _is_paragraph(u)])
        results = self.model.classify_pages(pages, context=self.context)
        verdicts: List[Union[bool, Tuple[bool, str]]] = []
        for doc, units, paragraphs in zip(batch, units_of, results):
            kept, scores = [], []
            total = removed = removed_count = 0
            text_units = (u for u in units if _is_paragraph(u))
            for unit, paragraph in zip(text_units, paragraphs):
                size = len(paragraph.text.strip())
                total += size
                scores.append(paragraph.probabilities[self.keep])
                if paragraph.label == self.keep:
                    kept.append(unit)
                    self.stat_update("kept_span")
                else:
                    removed += size
                    removed_count += 1
                    self.stat_update("removed_span")
            if self.save_scores:
                p = self.metadata_prefix
                doc.metadata[p + "scores"] = scores
                doc.metadata[p + "removed"] = removed / total if total else 0.0
                doc.metadata[p + "removed_paragraphs"] = removed_count
            cleaned = "".join(kept)
            if cleaned.strip():
                doc.text = cleaned
                verdicts.append(True)
            else:
                # Dropped: the exclusion writer gets the document as it came.
                verdicts.append((False, "no_news"))
        return verdicts
