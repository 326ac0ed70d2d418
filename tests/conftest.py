from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_9e6abf22d7dd6653.txt"

# The summary DESIGN.md gives for the sample article.
SEED_SUMMARY = {
    "license": "custom",
    "authors": ["South Front"],
    "publisher": "Global Research",
    "permissions": ["republish"],
    "permission_venue": "noncommercial",
    "duties": ["credit_source", "credit_copyright", "link_original"],
    "prohibitions": [],
    "fair_use_notice": True,
    "contact_for_permission": True,
    "republished_from": None,
}


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def seed_parts(text: str) -> tuple[str, list[str], str]:
    """(title, body paragraphs, footer paragraphs) of the sample."""
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    i = next(n for n, p in enumerate(paras) if p.startswith("Articles by:"))
    return paras[0], paras[1:i], paras[i:]


def seed_as_html(text: str, original_url: str = "https://www.globalresearch.ca/terrorist-retreat/5485063") -> str:
    import html

    title, body, footer = seed_parts(text)
    foot = []
    for p in footer:
        q = html.escape(p)
        q = q.replace("www.globalresearch.ca", f'<a href="{original_url}">www.globalresearch.ca</a>', 1)
        foot.append(f"<p>{q}</p>")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
        "<script>var x = 'grants permission to cross-post';</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/about'>About</a></nav><main><article><h1>" + html.escape(title) + "</h1>"
        + "".join(f"<p>{html.escape(p)}</p>" for p in body)
        + "</article></main><footer>" + "".join(foot) + "</footer></body></html>"
    )


def seed_as_markdown(text: str) -> str:
    title, body, footer = seed_parts(text)
    foot = [p.replace("www.globalresearch.ca", "[www.globalresearch.ca](https://www.globalresearch.ca/terrorist-retreat/5485063)", 1) for p in footer]
    return f"# {title}\n\n" + "\n\n".join(body) + "\n\n---\n\n" + "\n\n".join(foot) + "\n"
