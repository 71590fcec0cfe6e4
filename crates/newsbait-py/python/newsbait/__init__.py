"""newsbait: tell policy news from clickbait, paragraph by paragraph, in scraped
Chinese news pages.

>>> import newsbait
>>> model = newsbait.load_model()              # the model shipped in the wheel
>>> model.predict("国务院召开常务会议，部署稳就业工作。")
(('__label__news',), array([0.99...]))
>>> print(model.clean(open("page.txt", encoding="utf-8").read()))

``predict`` follows fastText: one paragraph each, no page context, labels with
fastText's ``__label__`` prefix (so code written for a fastText classifier works
unchanged). Everything else in the package (``Model.labels``,
``classify_page``, ``clean(keep=...)``, training data) uses bare label names such
as ``"news"`` and ``"clickbait"``; ``keep`` also accepts the prefixed form.

Integrations: :mod:`newsbait.datatrove` (a datatrove filter) and
:mod:`newsbait.spark` (cleaning DataFrame columns, training on a cluster).
"""

from __future__ import annotations

import os
from typing import Iterable, Tuple, Union

from ._newsbait import (
    LABEL_PREFIX,
    Error,
    FileError,
    Model,
    Paragraph,
    __version__,
    _train,
    get_num_threads,
    paragraphs,
    set_num_threads,
)

try:  # the mergeable training counts, where the library has them
    from ._newsbait import Counts, _count
except ImportError:  # pragma: no cover - older core library
    Counts = None  # type: ignore[assignment,misc]
    _count = None

__all__ = [
    "LABEL_PREFIX",
    "Counts",
    "Error",
    "FileError",
    "Model",
    "Paragraph",
    "__version__",
    "count",
    "get_num_threads",
    "load_model",
    "paragraphs",
    "set_num_threads",
    "train",
]

PathLike = Union[str, "os.PathLike[str]"]
TrainingData = Union[PathLike, Iterable[Tuple[str, str]]]


def load_model(path: PathLike | None = None) -> Model:
    """Loads a model: the one shipped inside the package when ``path`` is None,
    else the model file at ``path`` (written by ``Model.save`` or
    ``newsbait-train``).

    Raises :class:`FileError` (an ``OSError``) when the file cannot be read and
    :class:`Error` when it is not a newsbait model of this format version.
    """
    if path is None:
        return Model.shipped()
    return Model.load(os.fspath(path))


def _split_data(data: TrainingData):
    """``(path, labels, texts)`` for the Rust side."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data), None, None
    if isinstance(data, (bytes, bytearray)):
        raise TypeError("training data must be a path or an iterable of (label, text) pairs, not bytes")
    labels, texts = [], []
    for i, item in enumerate(data):
        try:
            label, text = item
        except (TypeError, ValueError):
            raise TypeError(
                f"training example {i} is {item!r}: expected a (label, text) pair"
            ) from None
        if not isinstance(label, str) or not isinstance(text, str):
            raise TypeError(
                f"training example {i}: label and text must be strings, "
                f"got ({type(label).__name__}, {type(text).__name__})"
            )
        labels.append(label)
        texts.append(text)
    return None, labels, texts


def train(data: TrainingData, **settings) -> Model:
    """Trains a model, like ``newsbait-train``.

    ``data`` is a path to a training file (JSONL with ``label`` and ``text``,
    TSV ``label<TAB>text``, or fastText ``__label__news text``) or any iterable
    of ``(label, text)`` pairs. ``settings`` are the command line's flags with
    underscores: ``alpha`` (0.01, > 0), ``min_count``, ``max_features``,
    ``bigrams``, ``char_ngrams``, ``shape``, ``shape_weight``, ``log_counts``,
    ``length_norm`` (``"none"``, ``"l1"``, ``"l2"``), ``variant``
    (``"multinomial"``, ``"complement"``), ``class_weight`` (``"prior"``,
    ``"balanced"`` or a number in 0..1), and for a file ``on_invalid``
    (``"skip"`` malformed lines, the default, or ``"error"``). They are
    validated as the command line validates them: an invalid value raises
    :class:`Error` with the library's message, an unknown name ``TypeError``.

    The model is the same whatever the number of threads, and the same as
    ``newsbait-train`` gives on the same file and settings.
    """
    path, labels, texts = _split_data(data)
    on_invalid = settings.pop("on_invalid", "skip")
    return _train(path, labels, texts, settings, on_invalid)


def count(data: TrainingData, **settings) -> "Counts":
    """Counts one shard of training data (the sums naive Bayes is fitted on).

    Counts from many shards, merged with :meth:`Counts.merge` in the order of
    the shards, fit the same model, byte for byte, as :func:`train` on all the
    data at once. ``data`` and ``settings`` are as for :func:`train`.
    """
    if _count is None:  # pragma: no cover
        raise NotImplementedError("this build of newsbait has no mergeable counts")
    path, labels, texts = _split_data(data)
    on_invalid = settings.pop("on_invalid", "skip")
    return _count(path, labels, texts, settings, on_invalid)
