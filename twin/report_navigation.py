"""The report page's aids to finding its way: a line of contents before the first section (each
section heading given an id, and the sub-sections the summary sends readers to listed under their
section and linked from its "see '...'"), and the terms the page uses explained at its
`<!-- terms -->` marker."""

from __future__ import annotations

import html
import re

from twin.report_format import terms_used


def with_glossary(page: str) -> str:
    """The page with the terms it uses explained, in place of its `<!-- terms -->` marker."""
    # the words on the page and in its charts' titles (alt texts), not in its markup or images
    words = re.sub(r"<[^>]+>|data:image/png;base64,[^\"']+", " ", page) + " ".join(re.findall(r'alt="([^"]*)"', page))
    used = terms_used(words)
    glossary = ("<h2>Terms used</h2>\n<dl class=\"terms\">" + "".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(meaning)}</dd>" for term, meaning in used.items())
        + "</dl>") if used else ""
    return page.replace("<!-- terms -->", glossary, 1)


def with_contents(page: str) -> str:
    """The page with a line of links to its sections before the first (a long page: 15 printed pages),
    each section heading given an id to link to, and the `LINKED_PARTS` under theirs."""
    sections = []

    def named(match: re.Match) -> str:
        given, title = match.group(1), match.group(2)
        anchor = given or re.sub(r"[^a-z0-9]+", "-", re.sub(r"<[^>]+>", "", title).lower()).strip("-")
        sections.append((anchor, re.sub(r"<[^>]+>", "", title)))
        return f'<h2 id="{anchor}">{title}</h2>'

    page = re.sub(r'<h2(?: id="([^"]+)")?>(.*?)</h2>', named, page)
    parts: dict[str, list[tuple[str, str]]] = {}  # the sub-sections the summary sends readers to, by section
    found = [(m, title) for title in LINKED_PARTS
             for m in [re.search(rf'<h3(?: id="([^"]+)")?>{re.escape(title)}</h3>', page)] if m]
    for match, title in sorted(found, key=lambda pair: pair[0].start()):  # (a heading's own id is kept)
        anchor = match.group(1) or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        heading = page.find(match.group(0))
        above = [a for a, _ in sections if 0 <= page.find(f'<h2 id="{a}">') < heading]
        parts.setdefault(above[-1] if above else "", []).append((anchor, title))
        page = page.replace(match.group(0), f'<h3 id="{anchor}">{title}</h3>', 1)
        page = page.replace(f"see '{title}'", f"see <a href=\"#{anchor}\">'{title}'</a>")

    def listed(anchor: str, title: str) -> str:
        inner = " · ".join(f'<a href="#{a}">{t}</a>' for a, t in parts.get(anchor, []))
        return f'<a href="#{anchor}">{title}</a>' + (f" ({inner})" if inner else "")

    links = " · ".join(listed(anchor, title) for anchor, title in sections)
    nav = f'<nav aria-label="Contents"><p class="meta">Contents: {links}</p></nav>\n'
    first = page.find("<h2")
    return page if first < 0 else page[:first] + nav + page[first:]


#: sub-sections the contents lists under their section, and the summary's "see '...'" links to
LINKED_PARTS = ("The answer in detail", "The options ranked", "Each option against each other", "Who spends",
                "Year by year", "Other outcomes", "What these results leave out")
