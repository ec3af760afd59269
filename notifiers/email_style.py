"""How newsradar's emails look: the archive's style as inline CSS (the one kind of style every
mail client keeps; Gmail drops <style> in many views), system CJK fonts, never a default serif."""

from __future__ import annotations

import re

__all__ = ["EMAIL_STYLE", "FONTS", "email_page", "styled"]

FONTS = ("-apple-system, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'WenQuanYi Micro Hei', "
         "'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif")  # fmt: skip
EMAIL_STYLE = {
    "div": f"max-width:600px;margin:0 auto;padding:12px 16px;font-family:{FONTS};font-size:15px;"
    "line-height:1.7;color:#222222;background:#fafafa;word-break:break-word;overflow-wrap:anywhere",
    "h2": "font-size:17px;line-height:1.4;margin:22px 0 8px;padding-bottom:4px;border-bottom:1px solid #e5e5e5;color:#222222",
    "ul": "list-style:none;margin:0;padding:0",
    "li": "background:#ffffff;border:1px solid #e5e5e5;border-radius:6px;padding:8px 12px;margin:8px 0",
    "p": "margin:4px 0",
    "small": "color:#595959;font-size:13px",
    "a": "color:#1a5fb4;text-decoration:underline",
    "strong": "font-size:16px;font-weight:600",
    "b": "background:#fff3b0;font-weight:600;padding:0 1px",
    "hr": "border:0;border-top:1px solid #e5e5e5;margin:20px 0 8px",
    "img": "display:block;width:100%;max-width:560px;height:auto;border:1px solid #e5e5e5;border-radius:6px;background:#ffffff",
}
_TAG_OPEN = re.compile(r"<(" + "|".join(EMAIL_STYLE) + r")(?=[\s>/])")
HEADER = (
    '<div style="max-width:600px;margin:0 auto;padding:10px 16px;background:#ffffff;'
    f'border-bottom:3px solid #c0392b;font-family:{FONTS};font-size:18px;font-weight:700;color:#c0392b">'
    "newsradar 新闻雷达</div>"
)


def styled(clean: str) -> str:
    """Inline style on every tag of sanitised markup (nh3 left no attribute we did not allow,
    and text holds no raw '<', so a tag's opening is unambiguous)."""
    return _TAG_OPEN.sub(lambda m: f'<{m.group(1)} style="{EMAIL_STYLE[m.group(1)]}"', clean)


def email_page(clean: str) -> str:
    """A whole HTML email around sanitised markup: the archive's red header bar, styled body."""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body style="margin:0;padding:0;background:#fafafa">{HEADER}{styled(clean)}</body></html>'
    )
