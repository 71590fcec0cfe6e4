"""Type stubs for newsbait (the Rust extension and its Python wrappers)."""

import os
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union, overload

from typing_extensions import TypedDict, Unpack

import numpy as np
import numpy.typing as npt

__version__: str
LABEL_PREFIX: str  # "__label__", as in fastText

PathLike = Union[str, os.PathLike[str]]
TrainingData = Union[PathLike, Iterable[Tuple[str, str]]]
Page = Union[str, Sequence[str]]

class Error(ValueError):
    """An error from newsbait, with the library's message."""

class FileError(Error, OSError):
    """A file could not be opened, read or written."""

class Paragraph:
    """One paragraph's label and probabilities."""

    @property
    def text(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def probability(self) -> float: ...
    @property
    def probabilities(self) -> Dict[str, float]: ...

class Model:
    """A trained newsbait classifier."""

    @staticmethod
    def shipped() -> Model:
        """The model built into the package (``load_model()``)."""
    @staticmethod
    def load(path: PathLike) -> Model:
        """The model file at ``path``; ``FileError`` if unreadable, ``Error`` if not a model."""
    @staticmethod
    def from_bytes(data: bytes) -> Model:
        """A model from the bytes of a model file (``to_bytes``)."""
    def to_bytes(self) -> bytes:
        """The bytes of the model file (versioned and checksummed)."""
    def save(self, path: PathLike) -> None:
        """Writes the model file atomically: a complete file or none."""
    @property
    def labels(self) -> Tuple[str, ...]:
        """The labels (bare names such as ``"news"``), in probability order."""
    @overload
    def predict(
        self, text: str, k: int = 1, threshold: float = 0.0
    ) -> Tuple[Tuple[str, ...], npt.NDArray[np.float64]]:
        """One paragraph, no page context: its top ``k`` labels (``-1``: all)
        with probability >= ``threshold``, ``__label__``-prefixed, and their
        probabilities, as fastText's ``predict``."""
    @overload
    def predict(
        self, text: Iterable[str], k: int = 1, threshold: float = 0.0
    ) -> Tuple[List[List[str]], List[npt.NDArray[np.float64]]]:
        """Many paragraphs, each alone: a list of label lists and a list of
        arrays. Scored in parallel without the GIL; the answers do not depend
        on the thread count."""
    def classify_page(self, page: Page, context: bool = True) -> List[Paragraph]:
        """One ``Paragraph`` per paragraph of the page (a string, split into
        non-empty lines, or a list of paragraphs), with page context unless
        ``context=False``."""
    def classify_pages(self, pages: Iterable[Page], context: bool = True) -> List[List[Paragraph]]:
        """``classify_page`` over many pages, in parallel."""
    def clean(self, page: Page, keep: str = "news", context: bool = True) -> str:
        """The page's ``keep`` paragraphs, in order, one a line
        (``newsbait-classify --keep``)."""
    def clean_pages(self, pages: Sequence[str], keep: str = "news", context: bool = True) -> List[str]:
        """``clean`` over many pages, in parallel."""
    def clean_html(self, html: Union[str, bytes], keep: str = "news", context: bool = True) -> str:
        """``clean`` for an HTML page: its text blocks (``p``, ``div``, ``li``,
        headings...; no head, scripts or styles) with the label ``keep``, one a
        line, as ``newsbait-classify --keep`` writes an ``.html`` file. Bytes
        have their charset detected; binary input raises ``Error``."""
    def clean_html_pages(
        self, pages: Iterable[Union[str, bytes]], keep: str = "news", context: bool = True
    ) -> List[str]:
        """``clean_html`` over many pages, in parallel."""
    def __reduce__(self) -> Tuple[object, Tuple[bytes]]:
        """Pickles through the model's bytes (for Spark, Ray, datatrove)."""

class Counts:
    """Training counts of one shard of data: mergeable, then fitted."""

    @staticmethod
    def from_bytes(data: bytes) -> Counts:
        """Counts from the bytes of a counts file."""
    def to_bytes(self) -> bytes:
        """The bytes of a counts file (versioned and checksummed)."""
    def merge(self, others: Iterable[Counts]) -> Counts:
        """These counts followed by ``others``, in order: merged shards fit the
        same model, byte for byte, as training on all the data at once."""
    def fit(self) -> Model:
        """The model these counts give."""
    @property
    def examples(self) -> int:
        """The number of training paragraphs counted."""
    def __reduce__(self) -> Tuple[object, Tuple[bytes]]: ...

def load_model(path: Optional[PathLike] = None) -> Model:
    """The shipped model when ``path`` is None, else the model file at ``path``."""

class TrainSettings(TypedDict, total=False):
    """The keyword settings of :func:`train` and :func:`count`."""

    alpha: float
    min_count: int
    max_features: Optional[int]
    bigrams: bool
    char_ngrams: int
    shape: bool
    shape_weight: float
    log_counts: bool
    length_norm: str
    variant: str
    class_weight: Union[str, float]
    on_invalid: str

def train(data: TrainingData, **settings: Unpack[TrainSettings]) -> Model:
    """Trains a model, as ``newsbait-train``, on a JSONL/TSV/fastText file or an
    iterable of ``(label, text)`` pairs; invalid settings raise ``Error``."""
def count(data: TrainingData, **settings: Unpack[TrainSettings]) -> Counts:
    """Counts one shard of training data (``Counts.merge``, then ``fit``)."""
def paragraphs(text: str) -> List[str]:
    """The paragraphs of a plain-text page, as the command line splits it."""
def set_num_threads(threads: int) -> None:
    """Threads newsbait uses (0: every core); results do not depend on it."""
def get_num_threads() -> int:
    """The number of threads newsbait uses."""
