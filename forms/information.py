"""Information text: Markdown written by form admins, rendered to HTML that is safe to show residents."""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@cache
def _markdown() -> MarkdownIt:
    # "js-default" escapes raw HTML instead of passing it through; nh3 then removes anything still unsafe.
    return MarkdownIt("js-default").disable("image")


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML: no scripts, styles, event handlers, images or non-http(s)/mailto links."""
    html = _markdown().render(text)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
