"""newsbait on Apache Spark: clean a DataFrame column, and train on a cluster.

Cleaning (the model is loaded once in each Python worker and reused by every
batch it scores)::

    from pyspark.sql import SparkSession
    from newsbait.spark import clean_column

    spark = SparkSession.builder.master("local[2]").getOrCreate()
    pages = spark.read.json("pages.jsonl")                  # a `text` column
    clean_column(pages, "text", output="clean").write.json("clean/")

Training at scale: naive Bayes counts are sums, so each partition is counted
where it lies, the counts are merged in partition order, and one fit gives the
same model, byte for byte, as ``newsbait.train`` on all the rows::

    from newsbait.spark import train
    model = train(spark.read.json("train.jsonl"), label="label", text="text", alpha=0.01)
    model.save("my.model")

On a cluster, build the wheel once (``pip wheel crates/newsbait-py -w dist``),
install it on every node (or ship it in a packed virtual environment with
``spark-submit --archives env.tar.gz#env`` and
``PYSPARK_PYTHON=./env/bin/python``), and submit the job as usual. Needs
``pyarrow`` and ``pandas`` on the workers (mapInPandas).
"""

from __future__ import annotations

import os
from typing import Dict, Iterator, Optional, Union

import newsbait

__all__ = ["clean_column", "clean_udf", "count", "train"]

ModelSource = Union[None, str, "os.PathLike[str]", newsbait.Model]

# One model per worker process, by source (None: the shipped model).
_MODELS: Dict[object, newsbait.Model] = {}


def _loader(spark, model: ModelSource):
    """A picklable function that returns the model inside a worker."""
    if isinstance(model, newsbait.Model):
        # A model in memory travels once per worker, as a broadcast variable.
        broadcast = spark.sparkContext.broadcast(model)
        return lambda: broadcast.value
    path = None if model is None else os.fspath(model)

    def load() -> newsbait.Model:
        if path not in _MODELS:
            _MODELS[path] = newsbait.load_model(path)
        return _MODELS[path]

    return load


def clean_column(
    df,
    column: str = "text",
    *,
    keep: str = "news",
    context: bool = True,
    output: Optional[str] = None,
    model: ModelSource = None,
):
    """Returns ``df`` with ``column`` cleaned: each page keeps only its
    ``keep`` paragraphs, one a line, as ``newsbait-classify --keep`` writes it.

    Args:
        df: a Spark DataFrame with a string column ``column``.
        keep: the label to keep.
        context: page context on (default) or off.
        output: write the cleaned text to this column (added or replaced)
            instead of replacing ``column``.
        model: None for the shipped model, a path readable on every worker, or
            a ``newsbait.Model`` (sent to the workers as a broadcast).

    A null page stays null; a page with nothing kept becomes ``""``. Runs
    through ``mapInPandas``: each Arrow batch is cleaned by one parallel call.
    """
    from pyspark.sql.types import StringType, StructField, StructType

    out = output or column
    fields = [f for f in df.schema.fields]
    if out in df.columns:
        fields = [StructField(out, StringType(), True) if f.name == out else f for f in fields]
    else:
        fields.append(StructField(out, StringType(), True))
    schema = StructType(fields)
    load = _loader(df.sparkSession, model)

    def clean_batches(batches):
        m = load()
        for pdf in batches:
            texts = pdf[column]
            present = texts.notna()
            cleaned = texts.astype(object).where(present, None)
            if present.any():
                cleaned[present] = m.clean_pages(list(texts[present]), keep=keep, context=context)
            pdf[out] = cleaned
            yield pdf

    return df.mapInPandas(clean_batches, schema)


def clean_udf(*, keep: str = "news", context: bool = True, model: ModelSource = None):
    """A pandas UDF (string -> string) that cleans pages, for ``select`` and
    ``withColumn``::

        df.withColumn("clean", clean_udf()("text"))
    """
    import pandas as pd
    from pyspark.sql import SparkSession
    from pyspark.sql.functions import pandas_udf

    load = _loader(SparkSession.getActiveSession(), model) if isinstance(model, newsbait.Model) else _loader(None, model)

    def newsbait_clean(texts):
        m = load()
        present = texts.notna()
        cleaned = texts.astype(object).where(present, None)
        if present.any():
            cleaned[present] = m.clean_pages(list(texts[present]), keep=keep, context=context)
        return cleaned

    # Real classes, not strings: Spark reads the hints to pick the UDF's kind.
    newsbait_clean.__annotations__ = {"texts": pd.Series, "return": pd.Series}
    return pandas_udf("string")(newsbait_clean)


def count(df, label: str = "label", text: str = "text", **settings) -> "newsbait.Counts":
    """Counts every partition of ``df`` where it lies and merges the counts
    in partition order (so the result is the same as counting all rows at
    once). ``settings`` are those of :func:`newsbait.train`."""
    if newsbait.Counts is None:  # pragma: no cover
        raise NotImplementedError("this build of newsbait has no mergeable counts")

    def count_partition(rows: Iterator) -> Iterator[bytes]:
        pairs = [(row[0], row[1]) for row in rows]
        if pairs:
            yield newsbait.count(pairs, **settings).to_bytes()

    shards = df.select(label, text).rdd.mapPartitions(count_partition).collect()
    if not shards:
        raise newsbait.Error("no training examples: the DataFrame is empty")
    first, *rest = (newsbait.Counts.from_bytes(b) for b in shards)
    return first.merge(rest)


def train(df, label: str = "label", text: str = "text", **settings) -> newsbait.Model:
    """Trains a model on a DataFrame of labelled paragraphs: partitions counted
    on the executors, merged on the driver, fitted once. The model is
    byte-identical to ``newsbait.train`` over the same rows in order."""
    return count(df, label, text, **settings).fit()
