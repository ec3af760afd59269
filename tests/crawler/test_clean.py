"""Crawled HTML is hostile: whatever a page carries, the stored body HTML is inert."""

from __future__ import annotations

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.clean import clean_body, html_to_text

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">点我</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<p onclick="steal()">正文</p>',
    "<style>body{display:none}</style>",
    '<svg onload="alert(1)"><circle/></svg>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "<form action=https://evil.example><input name=p></form>",
    '<p style="background:url(javascript:alert(1))">样式</p>',
]
TEXT = st.text(alphabet="北京市人民政府数字人民币试点通州<>&\"' \n", max_size=40)


@settings(max_examples=80, deadline=None)
@given(parts=st.lists(st.one_of(st.sampled_from(HOSTILE), TEXT.map(lambda t: f"<p>{t}</p>")), max_size=8))
def test_body_html_is_inert(parts):
    out = clean_body("".join(parts))
    low = out.lower()
    for bad in ("<script", "<iframe", "<style", "<svg", "<form", "<input", "javascript:", "data:", " on"):
        assert bad not in low, out
    root = lxml.html.fragment_fromstring(out or "<div></div>", create_parent="div")
    for el in root.iter():
        assert set(el.attrib) <= {"href", "rel"}, el.attrib


def test_text_keeps_the_words_and_drops_the_code():
    html = '<p>数字人民币<script>var x="试点";</script>试点</p><p onclick="x()">第二段 &amp; 更多</p>'
    assert html_to_text(clean_body(html)) == "数字人民币试点\n第二段 & 更多"
