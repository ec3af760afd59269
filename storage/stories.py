"""Stories: group republished copies of one news event (placeholder: one story per article)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .models import Article, Story

__all__ = ["assign"]


def assign(session: Session, article: Article, *, changed: bool = False) -> Story:
    """Attach the article to its story and return it (near-duplicate search comes with the stories issue)."""
    if article.story_id is not None:
        return session.get(Story, article.story_id)
    story = Story(lead_article_id=article.id)
    session.add(story)
    session.flush()
    article.story_id = story.id
    session.flush()
    return story
