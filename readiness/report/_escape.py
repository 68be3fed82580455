"""Escaping of data strings for the places a report puts them (HTML, SVG/XML, Markdown)."""

from __future__ import annotations

import html


def escape_html(text: str) -> str:
    """Escape ``text`` for HTML text and attribute values (quotes included)."""
    return html.escape(text, quote=True)
