"""The family copy: a clean, printable HTML page (A4-friendly) of the plan, the goals with
their score lines and the children's views. Every value is escaped; no script, no address.
The same renderer can serve 'a copy of everything we hold about you'."""

from __future__ import annotations

from html import escape

import pandas as pd

from components.charts import scorer_colours
from db.conference import ConferenceView
from db.metrics import goal_sentences
from db.words import WHOLE_FAMILY

STYLE = """
@page { size: A4; margin: 18mm; }
body { font-family: system-ui, sans-serif; color: #2b2118; font-size: 12pt; line-height: 1.5; }
h1 { font-size: 22pt; margin-bottom: 0; } h2 { font-size: 15pt; margin-top: 1.6em; }
.goal { break-inside: avoid; margin-bottom: 1.2em; } .muted { color: #6b5e50; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd;
padding: 4pt; text-align: left; vertical-align: top; }
"""


def _e(value) -> str:
    return (
        "" if value is None or (isinstance(value, float) and pd.isna(value)) else escape(str(value))
    )


def _score_lines_svg(
    points: pd.DataFrame, colours: dict[str, str], width: int = 440, height: int = 120
) -> str:
    """A small inline SVG of one goal's score lines (0 at the bottom, 10 at the top)."""
    if points.empty:
        return ""
    days = pd.to_datetime(points["scored_on"])
    first, last = days.min(), days.max()
    span = max((last - first).days, 1)
    pad = 12
    lines, legend = [], []
    for scorer, group in (
        points.assign(day=days).sort_values(["day", "score_id"]).groupby("scorer", sort=False)
    ):
        colour = colours[scorer]
        xy = [
            (
                pad + (width - 2 * pad) * (d - first).days / span,
                height - pad - (height - 2 * pad) * s / 10,
            )
            for d, s in zip(group["day"], group["score"])
        ]
        dash = ' stroke-dasharray="5 4" opacity="0.7"' if group["is_worker_view"].iloc[0] else ""
        lines.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5"{dash} points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            + '"/>'
        )
        lines += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in xy]
        legend.append(f'<span style="color:{colour}">&#9644; {_e(scorer)}</span>')
    return (
        f'<svg role="img" aria-label="Score lines from 0 to 10" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fffdf8" stroke="#eee"/>'
        + "".join(lines)
        + "</svg><div class='muted'>"
        + " &nbsp; ".join(legend)
        + "</div>"
    )


def render(view: ConferenceView) -> str:
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(view.family_name)}: our plan and goals</title><style>{STYLE}</style>"
        f"</head><body><h1>{_e(view.family_name)}</h1>"
        f"<p class='muted'>Made on {view.made_on:%-d %B %Y}</p>"
    ]
    parts.append("<h2>Our plan</h2>")
    if view.plan.empty:
        parts.append("<p>We haven't written the plan yet.</p>")
    else:
        parts.append(
            "<table><tr><th>What will happen</th><th>Who</th><th>By when</th>"
            "<th>How we'll know</th><th>Done</th></tr>"
        )
        for step in view.plan.itertuples():
            due = f"{step.by_when:%-d %B %Y}" if pd.notna(step.by_when) else ""
            parts.append(
                f"<tr><td>{_e(step.what)}</td><td>{_e(step.who)}</td><td>{due}</td>"
                f"<td>{_e(step.how_we_will_know)}</td>"
                f"<td>{'Yes' if pd.notna(step.done_on) else ''}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Our goals</h2>")
    colours = scorer_colours(view.goals.scores)
    for goal in view.goals.goals.itertuples():
        points = view.goals.scores[view.goals.scores["goal_id"] == goal.goal_id]
        whose = "" if goal.whose == WHOLE_FAMILY else goal.whose
        parts.append(
            f"<div class='goal'><h3>{_e(goal.wording)}</h3>"
            f"<p class='muted'>{_e(goal.whose)} · 0 means: {_e(goal.zero_means) or '—'}"
            f" · 10 means: {_e(goal.ten_means) or '—'}</p>"
            f"{_score_lines_svg(points, colours)}"
            + "<p>"
            + "<br>".join(
                _e(line)
                for line in goal_sentences(whose=whose, wording=goal.wording, points=points)
            )
            + "</p></div>"
        )
    if not view.going_well.empty:
        parts.append("<h2>What's going well</h2><ul>")
        parts += [
            f"<li>&ldquo;{_e(r.words)}&rdquo;"
            + (f" &mdash; {_e(r.said_by)}" if r.said_by else "")
            + "</li>"
            for r in view.going_well.itertuples()
        ]
        parts.append("</ul>")
    if not view.child_views.empty:
        parts.append("<h2>What the children told us</h2><ul>")
        parts += [
            f"<li>{_e(r.child)}: &ldquo;{_e(r.words)}&rdquo;</li>"
            for r in view.child_views.itertuples()
        ]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "".join(parts)


# Plain names for the kinds of record; anything unlisted is shown by its table name.
RECORD_NAMES = {
    "family": "The family",
    "familystatuschange": "Where things were, over time",
    "person": "People in the family's world",
    "agreement": "What the family agreed to",
    "workerrelationship": "Workers who worked with the family",
    "meeting": "Meetings",
    "meetingperson": "Who was invited and who came",
    "childview": "The children's views",
    "conversation": "Conversations",
    "conversationitem": "What was said",
    "goal": "Goals",
    "scoreround": "Rounds of scores",
    "goalscore": "Scores",
    "planstep": "The family's plan",
    "practicalhelp": "Practical help",
    "huddlefamily": "Team huddles that talked about the family",
}
# Held back for a worker to review before anything is sent: details that keep someone safe,
# staff notes (they may be about other people), and what someone asked to keep private.
HELD_BACK_TABLES = {"keepingsafe": "Keeping-safe details", "note": "Staff notes"}


def render_everything(document: str) -> str:
    """A printable draft of 'a copy of everything we hold about you', from the subject-access
    JSON: for a worker to check and redact before it goes to the family. Every value escaped."""
    import json

    data = json.loads(document)
    records = data.get("records", {})
    held_back = [
        f"{HELD_BACK_TABLES[t]} ({len(rows)})"
        for t, rows in records.items()
        if t in HELD_BACK_TABLES and rows
    ]
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>A copy of everything we hold about you (draft)</title><style>{STYLE}"
        f".draft {{ border: 2px solid #8a5a00; padding: 8pt; }}</style></head><body>"
        f"<p class='draft'><strong>Draft for a worker to check before sending.</strong> "
        f"Remove anything about other people. Held back from this draft: "
        f"{_e(', '.join(held_back) or 'nothing')}, and anything someone asked to keep "
        f"private.</p>"
        f"<h1>A copy of everything we hold about you</h1>"
        f"<p class='muted'>Made {_e(data.get('made_at', ''))[:10]} · {_e(data.get('team', ''))}"
        f"</p>"
    ]
    for table, rows in records.items():
        rows = [r for r in rows if r.get("visibility") != "private"]
        if table in HELD_BACK_TABLES or not rows:
            continue
        columns = [
            c
            for c in rows[0]
            if not c.endswith("_id") and c not in ("id", "version", "data_version")
        ]
        parts.append(
            f"<h2>{_e(RECORD_NAMES.get(table, table))} ({len(rows)})</h2><table><tr>"
            + "".join(f"<th>{_e(c.replace('_', ' '))}</th>" for c in columns)
            + "</tr>"
        )
        parts += [
            "<tr>" + "".join(f"<td>{_e(row.get(c))}</td>" for c in columns) + "</tr>"
            for row in rows
        ]
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
