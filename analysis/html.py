"""HTML pieces of the report: tables that fit their column, collapsible details, embedded figures, the page.

One self-contained file: no scripts, no external fonts or styles, figures as
``data:`` PNGs. Every table sits in a ``div.scroll`` (it scrolls sideways on
its own on a narrow screen instead of widening the page); cells may hold a
second line (``small``) for an interval. Code names are kept in ``title=``
tooltips next to their plain labels (:mod:`slsim.analysis.labels`).
"""

import base64
import html
import math

import pandas as pd

from slsim.analysis.labels import column_label, scenario_label

CSS = """
*, *::before, *::after { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 0 16px 2em; max-width: 1100px; color: #222;
       line-height: 1.35; }
header h1 { font-size: 1.3em; margin: 0.5em 0 0; }
header p { margin: 0.1em 0 0.3em; color: #555; font-size: 0.85em; overflow-wrap: anywhere; }
h2 { font-size: 1.2em; margin: 1.2em 0 0.4em; border-bottom: 1px solid #ddd; }
section#answer h2 { margin-top: 0.4em; }
h3 { font-size: 1em; margin: 1em 0 0.3em; }
p { margin: 0.4em 0; }
.lead { font-size: 0.92em; margin: 0.2em 0 0.4em; }
.scroll { overflow-x: auto; max-width: 100%; }
table.t { border-collapse: collapse; font-size: 0.8em; margin: 0.3em 0 0.6em; }
table.t th, table.t td { border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: right; vertical-align: top; }
table.t th { background: #f4f4f4; font-weight: 600; vertical-align: bottom; }
table.t .l { text-align: left; overflow-wrap: anywhere; min-width: 8em; }
table.t small { display: block; color: #666; font-size: 0.9em; white-space: nowrap; }
table.t td.yes { color: #0b5394; font-weight: 600; } table.t td.neg { color: #a33; font-weight: 600; }
table.t td.no { color: #666; }
table.answer td { white-space: nowrap; padding-top: 1px; padding-bottom: 1px; }
table.answer td.l { white-space: normal; min-width: 14em; }
section#answer p.note { font-size: 0.78em; }
table.answer small { display: inline; margin-left: 0.35em; }
[title] { text-decoration: none; }
abbr[title], th[title], td[title] { cursor: help; }
img { max-width: 100%; height: auto; display: block; }
figure { margin: 0.6em 0 1em; }
figcaption, .note { color: #555; font-size: 0.85em; }
ol.notes { color: #555; font-size: 0.8em; margin: 0.2em 0; padding-left: 1.4em; }
details { margin: 0.5em 0; } summary { cursor: pointer; color: #1a4d80; }
pre { background: #f7f7f7; padding: 1em; font-size: 0.78em; max-height: 30em; overflow: auto; }
nav { font-size: 0.85em; margin: 1em 0; line-height: 1.7; }
footer { color: #555; font-size: 0.8em; margin-top: 2em; border-top: 1px solid #ddd; padding-top: 0.5em;
         overflow-wrap: anywhere; }
code { font-size: 0.9em; overflow-wrap: anywhere; }
@media (max-width: 720px) {
  body { padding: 0 8px 2em; }
  table.t { font-size: 0.74em; }
  table.t th, table.t td { padding: 2px 3px; }
  table.answer td { white-space: normal; }
  table.answer th { font-size: 0.95em; }
  table.answer td.l { min-width: 6em; }
  table.answer small { display: block; margin-left: 0; white-space: nowrap; }
}
"""


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def td(text, sub=None, title=None, cls=None) -> str:
    """A cell: ``text`` (escaped), an optional second line ``sub`` (an interval), a tooltip ``title``."""
    attrs = (f" class='{cls}'" if cls else "") + (f" title='{esc(title)}'" if title else "")
    second = f"<small>{esc(sub)}</small>" if sub else ""
    return f"<td{attrs}>{esc(text)}{second}</td>"


def th(label, title=None, cls=None) -> str:
    attrs = (f" class='{cls}'" if cls else "") + (f" title='{esc(title)}'" if title else "")
    return f"<th{attrs}>{esc(label)}</th>"


def table(head: list, rows: list, cls: str = "t") -> str:
    """``head``: th() strings; ``rows``: lists of td() strings; wrapped to scroll on its own."""
    if not rows:
        return "<p class='note'>Nothing to show.</p>"
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return f"<div class='scroll'><table class='{cls}'><thead><tr>{''.join(head)}</tr></thead><tbody>{body}</tbody></table></div>"


def label_th(code, cls=None) -> str:
    """A header with the plain label of column ``code`` (the code name as its tooltip)."""
    label = column_label(code)
    return th(label, title=code if label != str(code) else None, cls=cls)


def scenario_td(code) -> str:
    """A cell with a scenario's plain label (the code name as its tooltip)."""
    label = scenario_label(code)
    return td(label, title=code if label != str(code) else None, cls="l")


def number(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.{digits}f}".replace("-", "−")
    return str(value)


def frame_table(frame: pd.DataFrame, index: bool = True, digits: int = 2, scenarios=("scenario", "group")) -> str:
    """A DataFrame as a table with plain column labels; scenario columns (and a scenario index) shown
    by their plain labels; numbers with ``digits`` decimals; text left-aligned."""
    if frame is None or frame.empty:
        return "<p class='note'>Nothing to show.</p>"
    data = frame.reset_index() if index else frame
    head = [label_th(c, cls=None if pd.api.types.is_numeric_dtype(data[c]) else "l") for c in data.columns]
    rows = []
    for rec in data.itertuples(index=False):
        row = []
        for col, value in zip(data.columns, rec):
            if col in scenarios and isinstance(value, str):
                row.append(scenario_td(value))
            elif isinstance(value, str) or value is None:
                row.append(td("" if value is None else value, cls="l"))
            else:
                row.append(td(number(value, digits)))
        rows.append(row)
    return table(head, rows)


def ci(mean, low, high, fmt, sign=False) -> tuple:
    """(main text, interval text) of a mean and its interval with ``fmt`` (a number -> text)."""
    main = fmt(mean, sign) if sign else fmt(mean)
    if pd.isna(low) or pd.isna(high):
        return main, None
    low, high = fmt(low), fmt(high)
    return main, None if low == high == fmt(mean) else f"({low} to {high})"


def people(x, sign=False) -> str:
    return "–" if pd.isna(x) else (f"{x:+,.1f}" if sign else f"{x:,.1f}").replace("-", "−")


def details(summary: str, inner: str, is_open: bool = False) -> str:
    return f"<details{' open' if is_open else ''}><summary>{esc(summary)}</summary>{inner}</details>"


def figure(png: bytes, caption: str) -> str:
    src = base64.b64encode(png).decode()
    return (
        f"<figure><img alt='{esc(caption)}' src='data:image/png;base64,{src}'>"
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def page(title: str, header: str, sections: list, nav_after: str, footer: str = "") -> str:
    """The whole page. ``sections``: (key, title, body html); the nav goes after section ``nav_after``;
    ``footer``: html at the end (which slsim made the results)."""
    nav = "<nav>Sections: " + " · ".join(f"<a href='#{k}'>{esc(t)}</a>" for k, t, _ in sections) + "</nav>"
    parts = []
    for key, name, body in sections:
        parts.append(f"<section id='{key}'><h2>{esc(name)}</h2>{body}</section>")
        if key == nav_after:
            parts.append(nav)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{CSS}</style></head><body>
<header>{header}</header>
{"".join(parts)}
<footer>{footer}</footer>
</body></html>
"""
