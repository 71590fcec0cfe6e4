"""Cleaning HTML pages: Model.clean_html and clean_html_pages."""

import pytest

import newsbait

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>国务院常务会议</title>
<script>var x = "震惊！";</script><style>p { color: red }</style></head>
<body>
<h1>国务院召开常务会议 部署稳就业工作</h1>
<div class="article">
<p>国务院总理主持召开国务院常务会议，部署进一步做好稳就业工作。</p>
<p>会议指出，要加大对中小微企业的支持力度，落实减税降费政策。</p>
<p>会议强调，各地区各部门要压实责任，确保各项政策措施落地见效。</p>
</div>
<div class="related"><h3>推荐阅读</h3>
<ul><li><a href="/a">震惊！她竟然这样做，看完惊呆了</a></li>
<li><a href="/b">这三种水果晚上千万别吃，很多人不知道</a></li></ul></div>
</body></html>
"""

NEWS = [
    "国务院召开常务会议 部署稳就业工作",
    "国务院总理主持召开国务院常务会议，部署进一步做好稳就业工作。",
    "会议指出，要加大对中小微企业的支持力度，落实减税降费政策。",
    "会议强调，各地区各部门要压实责任，确保各项政策措施落地见效。",
]
BAIT = ["推荐阅读", "震惊！她竟然这样做，看完惊呆了", "这三种水果晚上千万别吃，很多人不知道"]


def test_clean_html_keeps_the_article_blocks(model):
    # The head (title, script, style) is not text of the page; each block is
    # one paragraph, in document order.
    assert model.clean_html(PAGE).split("\n") == NEWS
    assert model.clean_html(PAGE, keep="clickbait").split("\n") == BAIT
    assert model.clean_html(PAGE, keep="__label__news") == model.clean_html(PAGE)


def test_clean_html_bytes_have_their_charset_detected(model):
    assert model.clean_html(PAGE.encode("utf-8")) == model.clean_html(PAGE)
    gbk = PAGE.replace('charset="utf-8"', 'charset="gbk"').encode("gbk")
    assert model.clean_html(gbk) == model.clean_html(PAGE)


def test_clean_html_is_clean_of_the_blocks(model):
    # The same paragraphs as a plain-text page give the same answer.
    text = "\n".join(NEWS + BAIT)
    assert model.clean_html(PAGE) == model.clean(text)
    assert model.clean_html(PAGE, context=False) == model.clean(text, context=False)


def test_clean_html_pages_matches_one_by_one(model):
    pages = [PAGE, PAGE.encode("utf-8"), "<p>推荐阅读</p>", ""]
    assert model.clean_html_pages(pages) == [model.clean_html(p) for p in pages]
    assert model.clean_html("") == ""


def test_clean_html_errors(model):
    with pytest.raises(newsbait.Error, match="not HTML"):
        model.clean_html(bytes(range(32)) * 10)
    with pytest.raises(TypeError):
        model.clean_html(42)
    with pytest.raises(newsbait.Error, match="labels are clickbait, news"):
        model.clean_html(PAGE, keep="sports")
