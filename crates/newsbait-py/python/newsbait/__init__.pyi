"""Type stubs for newsbait (the Rust extension and its Python wrappers)."""

import os
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union, overload

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
    def shipped() -> Model: ...
    @staticmethod
    def load(path: PathLike) -> Model: ...
    @staticmethod
    def from_bytes(data: bytes) -> Model: ...
    def to_bytes(self) -> bytes: ...
    def save(self, path: PathLike) -> None: ...
    @property
    def labels(self) -> Tuple[str, ...]: ...
    @overload
    def predict(
        self, text: str, k: int = 1, threshold: float = 0.0
    ) -> Tuple[Tuple[str, ...], npt.NDArray[np.float64]]: ...
    @overload
    def predict(
        self, text: Iterable[str], k: int = 1, threshold: float = 0.0
    ) -> Tuple[List[List[str]], List[npt.NDArray[np.float64]]]: ...
    def classify_page(self, page: Page, context: bool = True) -> List[Paragraph]: ...
    def classify_pages(self, pages: Iterable[Page], context: bool = True) -> List[List[Paragraph]]: ...
    def clean(self, page: Page, keep: str = "news", context: bool = True) -> str: ...
    def clean_pages(self, pages: Sequence[str], keep: str = "news", context: bool = True) -> List[str]: ...
    def __reduce__(self) -> Tuple[object, Tuple[bytes]]: ...

class Counts:
    """Training counts of one shard of data: mergeable, then fitted."""

    @staticmethod
    def from_bytes(data: bytes) -> Counts: ...
    def to_bytes(self) -> bytes: ...
    def merge(self, others: Iterable[Counts]) -> Counts: ...
    def fit(self) -> Model: ...
    @property
    def examples(self) -> int: ...
    def __reduce__(self) -> Tuple[object, Tuple[bytes]]: ...

def load_model(path: Optional[PathLike] = None) -> Model: ...
def train(
    data: TrainingData,
    *,
    alpha: float = ...,
    min_count: int = ...,
    max_features: Optional[int] = ...,
    bigrams: bool = ...,
    char_ngrams: int = ...,
    shape: bool = ...,
    shape_weight: float = ...,
    log_counts: bool = ...,
    length_norm: str = ...,
    variant: str = ...,
    class_weight: Union[str, float] = ...,
    on_invalid: str = ...,
) -> Model: ...
def count(
    data: TrainingData,
    *,
    alpha: float = ...,
    min_count: int = ...,
    max_features: Optional[int] = ...,
    bigrams: bool = ...,
    char_ngrams: int = ...,
    shape: bool = ...,
    shape_weight: float = ...,
    log_counts: bool = ...,
    length_norm: str = ...,
    variant: str = ...,
    class_weight: Union[str, float] = ...,
    on_invalid: str = ...,
) -> Counts: ...
def paragraphs(text: str) -> List[str]: ...
def set_num_threads(threads: int) -> None: ...
def get_num_threads() -> int: ...
