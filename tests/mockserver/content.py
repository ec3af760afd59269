"""Text of the sample sites: a few Beijing government items written for the fixtures, the real seed
notice, and the real finews/eastmoney posts in data/finews/ (README.source and provenance.jsonl say where
each came from)."""

from __future__ import annotations

import re
from pathlib import Path

DATA = Path(__file__).parent / "data"

# (id, date, time, column title, origin, paragraphs). Short government news items in the style of
# www.beijing.gov.cn 要闻; each is distinct text so no two of them form one story.
BJ_NEWS = [
    (
        "2611001",
        "2022-02-11",
        "09:30",
        "北京市召开全市优化营商环境工作会议",
        "北京日报",
        [
            "2月10日，北京市召开全市优化营商环境工作会议，部署推进营商环境5.0版改革各项任务。",
            "会议强调，要坚持以市场主体需求为导向，深化“放管服”改革，持续提升政务服务标准化、规范化、便利化水平。",
            "会议要求，各区各部门要狠抓落实，推动更多改革举措在企业和群众身边落地见效。",
        ],
    ),
    (
        "2611002",
        "2022-02-10",
        "18:05",
        "北京冬奥会城市运行保障平稳有序",
        "首都之窗",
        [
            "北京冬奥会开幕以来，全市城市运行总体平稳有序，水电气热供应充足，交通运行顺畅。",
            "市城市运行保障指挥部表示，将继续加强重点区域巡查，做好雨雪天气应对准备。",
        ],
    ),
    (
        "2611003",
        "2022-02-10",
        "11:20",
        "本市发布2022年重要民生实事项目",
        "北京日报",
        [
            "市政府近日发布2022年重要民生实事项目，涉及养老服务、学前教育、老旧小区改造等多个领域。",
            "今年本市将新建养老家庭照护床位，完成一批老旧小区综合整治，新增学前教育学位。",
            "各项目责任单位将按季度公开进展情况，接受社会监督。",
        ],
    ),
    (
        "2611004",
        "2022-02-09",
        "16:45",
        "北京市推进数字经济标杆城市建设",
        "北京日报",
        [
            "本市印发实施方案，加快建设全球数字经济标杆城市，推动数字技术与实体经济深度融合。",
            "方案提出，到2025年，数字经济增加值占地区生产总值比重达到50%左右。",
        ],
    ),
    (
        "2611005",
        "2022-02-09",
        "10:00",
        "春节假期全市接待游客同比增长",
        "首都之窗",
        [
            "据市文化和旅游局统计，春节假期全市共接待游客数量同比增长，旅游收入稳步恢复。",
            "各大公园和博物馆推出冰雪主题活动，市民游客在家门口感受冬奥氛围。",
        ],
    ),
    (
        "2611006",
        "2022-02-08",
        "15:10",
        "通州区开展春季植树护绿宣传活动",
        "通州区融媒体中心",
        [
            "通州区园林绿化局近日开展春季植树护绿宣传活动，向市民发放宣传材料，普及护绿知识。",
            "活动现场，志愿者为市民讲解树木养护方法，引导大家爱绿护绿。",
        ],
    ),
    (
        "2611007",
        "2022-02-08",
        "09:00",
        "北京市推动绿色金融改革创新",
        "北京日报",
        [
            "本市出台措施推动绿色金融改革创新，支持金融机构发行绿色债券，发展碳排放权交易相关金融产品。",
            "北京绿色交易所将建设全国温室气体自愿减排交易中心，服务碳达峰碳中和目标。",
            "措施还提出开展气候投融资试点，引导社会资本投向绿色低碳领域。",
        ],
    ),
    (
        "2611008",
        "2022-02-07",
        "17:30",
        "市教委部署新学期中小学开学工作",
        "首都之窗",
        [
            "市教委日前召开会议，部署新学期中小学开学工作，要求各校做好校园安全和教学准备。",
            "会议强调，要持续落实“双减”要求，提升课后服务质量。",
        ],
    ),
]
# The same government notice that the seed post republishes; the page keeps the official wording.
SEED_GOV_ID = "2611111"
SEED_GOV_TITLE = (
    "中共北京市委办公厅 北京市人民政府办公厅印发《关于推进北京城市副中心高质量发展的实施方案》的通知"
)


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Jekyll's rule: front matter only when the file starts with '---'."""
    if not text.startswith("---"):
        return {}, text
    _, head, body = text.split("---", 2)
    meta = {}
    for line in head.strip().splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip().strip('"')
    return meta, body.lstrip("\n")


def seed_body() -> str:
    """The seed's HTML body as the aggregator stored it (K-line widget and eastmoney lead included)."""
    return front_matter((DATA / "finews" / "2022-02-11-NW202202112273872039.md").read_text(encoding="utf-8"))[
        1
    ]


def seed_notice_paragraphs() -> list[str]:
    """The notice itself, without eastmoney's widget and one-paragraph summary: the official text."""
    body = seed_body()
    paras = re.findall(r"<p[^>]*>(.*?)</p>", body, flags=re.S)
    start = next(
        i for i, p in enumerate(paras) if "印发《关于推进北京城市副中心高质量发展的实施方案》的通知" in p
    )
    out = [re.sub(r"<[^>]+>", "", p).strip() for p in paras[start:]]
    return [p for p in out if p and "文章来源" not in p]


def finews_posts() -> list[tuple[str, dict[str, str], str]]:
    """(file name, front matter, body) of every real post that Jekyll would publish."""
    posts = []
    for path in sorted((DATA / "finews").glob("*.md")):
        meta, body = front_matter(path.read_text(encoding="utf-8"))
        if meta:
            posts.append((path.name, meta, body))
    return posts
