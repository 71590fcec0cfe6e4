"""newsbait.spark in a local[2] Spark session."""

import os
import shutil
import sys

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java (17 for Spark 4)", allow_module_level=True)

import newsbait  # noqa: E402
import newsbait.spark  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("newsbait-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def page_df(spark, data_dir):
    return spark.read.json(str(data_dir / "pages.jsonl")).repartition(2)


def test_clean_column_matches_the_library(spark, page_df, pages, model):
    rows = newsbait.spark.clean_column(page_df, "text", output="clean").collect()
    got = {r["id"]: r for r in rows}
    assert sorted(got) == [p["id"] for p in pages]
    for page in pages:
        assert got[page["id"]]["clean"] == model.clean(page["text"])
        assert got[page["id"]]["text"] == page["text"]
        assert got[page["id"]]["url"] == page["url"]
    replaced = newsbait.spark.clean_column(page_df, "text", keep="clickbait", context=False).collect()
    for r in replaced:
        page = next(p for p in pages if p["id"] == r["id"])
        assert r["text"] == model.clean(page["text"], keep="clickbait", context=False)


def test_clean_column_keeps_nulls_and_takes_a_model(spark, model, tmp_path):
    df = spark.createDataFrame([("a", "市政府召开会议，部署工作。\n推荐阅读"), ("b", None)], "id string, text string")
    rows = {r["id"]: r["text"] for r in newsbait.spark.clean_column(df, model=model).collect()}
    assert rows == {"a": model.clean("市政府召开会议，部署工作。\n推荐阅读"), "b": None}
    path = tmp_path / "m.model"
    model.save(path)
    rows = {r["id"]: r["text"] for r in newsbait.spark.clean_column(df, model=str(path)).collect()}
    assert rows["a"] == model.clean("市政府召开会议，部署工作。\n推荐阅读")


def test_clean_udf(page_df, pages, model):
    rows = page_df.select("id", newsbait.spark.clean_udf()("text").alias("clean")).collect()
    expected = {p["id"]: model.clean(p["text"]) for p in pages}
    assert {r["id"]: r["clean"] for r in rows} == expected


@pytest.mark.skipif(newsbait.Counts is None, reason="this build has no mergeable counts")
def test_distributed_training_is_byte_identical(spark, train_pairs):
    df = spark.sparkContext.parallelize(train_pairs, 4).toDF(["label", "text"])
    assert df.rdd.getNumPartitions() == 4
    model = newsbait.spark.train(df, alpha=0.1)
    assert model.to_bytes() == newsbait.train(train_pairs, alpha=0.1).to_bytes()
