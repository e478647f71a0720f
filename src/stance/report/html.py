"""`report.html`: the page a news analyst opens first after a pipeline run.

Self-contained: inline CSS, an inline SVG chart and a few lines of inline JS; no CDN, no fonts, no
network (a Content-Security-Policy forbids loading anything). Every string that comes from an article
(quote, context, speaker, cue, article id, file name) is HTML-escaped. Stable hooks for browser tests:
the chart is `id="speaker-chart"`, each quote row has the class `quote` (with `data-stance`,
`data-speaker` and `data-low`), each article section has the class `article` and an `id="article-N"`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

from stance.report.speakers import UNRESOLVED, truncate

# Colours for the project's default labels; other label sets take the palette in order.
KNOWN_COLOURS = {
    "supportive": "#2e7d32",
    "critical": "#c62828",
    "dismissive": "#8e24aa",
    "urging_action": "#ef6c00",
    "neutral": "#78909c",
}
PALETTE = ["#1565c0", "#00897b", "#6d4c41", "#f9a825", "#5e35b1", "#d81b60", "#43a047", "#546e7a"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0 auto;max-width:1100px;padding:0 1.2rem 4rem;color:#1d2329}
h1{margin:1.2rem 0 .2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
.meta{color:#57606a;font-size:.9em}
table.figures{border-collapse:collapse;margin:.6rem 0}table.figures td,table.figures th{padding:.15rem .7rem;text-align:left;border-bottom:1px solid #eaeef2}
table.figures td.n,table.figures th.n{text-align:right;font-variant-numeric:tabular-nums}
#speaker-chart text{font-size:12px;fill:#1d2329}#speaker-chart .bar{cursor:pointer}#speaker-chart .bar:hover rect{opacity:.8}
.filters{display:none;position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #d0d7de;z-index:1}
.js .filters{display:block}
.filters label{margin-right:1rem}
.article{margin:1.2rem 0}.article h3{font-size:1em;margin:.2rem 0;color:#57606a}
.quote{border-left:4px solid #d0d7de;padding:.3rem .7rem;margin:.5rem 0;background:#f6f8fa}
.quote .head{font-size:.85em;color:#57606a}.quote .ctx{margin:.25rem 0 0}
.stance{display:inline-block;color:#fff;border-radius:3px;padding:0 .4rem;font-size:.85em;font-weight:600}
.low-flag{display:inline-block;border:1px dashed #9a6700;color:#9a6700;border-radius:3px;padding:0 .3rem;font-size:.8em}
.hl-quote{background:#fff3b0}.hl-cue{text-decoration:underline;text-decoration-thickness:2px;font-weight:600}
.hl-speaker{color:#0b57d0;font-weight:600}
.speaker-name{font-weight:600;color:#0b57d0}
a{color:#0b57d0}
"""

SCRIPT = """
(function(){
  var st=document.getElementById('f-stance'),sp=document.getElementById('f-speaker'),lo=document.getElementById('f-low'),n=document.getElementById('f-count');
  function apply(){
    var shown=0;
    document.querySelectorAll('.quote').forEach(function(q){
      var ok=(!st.value||q.dataset.stance===st.value)&&(!sp.value||q.dataset.speaker===sp.value)&&(!lo.checked||q.dataset.low==='1');
      q.hidden=!ok;if(ok){shown++;}
    });
    document.querySelectorAll('.article').forEach(function(a){a.hidden=!a.querySelector('.quote:not([hidden])');});
    n.textContent=String(shown);
  }
  [st,sp,lo].forEach(function(e){e.addEventListener('change',apply);});
  document.querySelectorAll('#speaker-chart .bar').forEach(function(g){
    function pick(){sp.value=g.dataset.speaker;apply();document.getElementById('quotes').scrollIntoView();}
    g.addEventListener('click',pick);
    g.addEventListener('keydown',function(e){if(e.key==='Enter'){pick();}});
  });
  apply();
  document.body.classList.add('js');
})();
"""


def _e(value: Any) -> str:
    """Escape anything for HTML text or a quoted attribute."""
    return escape("" if value is None else str(value), quote=True)


def label_colours(labels: list[str]) -> dict[str, str]:
    colours, spare = {}, iter(PALETTE * (len(labels) // len(PALETTE) + 1))
    for label in labels:
        colours[label] = KNOWN_COLOURS.get(label) or next(spare)
    return colours


def _int(value: Any) -> int | None:
    """An offset from a quote record (None, NaN or pd.NA when absent)."""
    try:
        return None if value is None or value != value else int(value)
    except (TypeError, ValueError):
        return None


def _spans_in_context(quote: dict[str, Any]) -> tuple[str, list[tuple[int, int, str]]]:
    """The quote's context and the (start, end, class) of quote, cue and speaker inside it.

    The record gives article offsets; the context is a stripped slice of the article that contains the
    quote, so its article offset is found from the quote text (checked against the cue when there is one).
    """
    text = str(quote.get("text") or "")
    context = str(quote.get("context") or "")
    start = _int(quote.get("start"))
    if not context or start is None or text not in context:
        return text, [(0, len(text), "hl-quote")]
    cue, cue_start, cue_end = quote.get("cue"), _int(quote.get("cue_start")), _int(quote.get("cue_end"))
    base = None
    at = context.find(text)
    while at != -1:
        offset = start - at
        if not cue or cue_start is None or cue_end is None or context[cue_start - offset : cue_end - offset] == cue:
            base = offset
            break
        at = context.find(text, at + 1)
    if base is None:
        base = start - context.find(text)
    pieces = quote.get("spans")
    pieces = [list(p) for p in pieces] if pieces is not None and len(pieces) else [[start, _int(quote.get("end"))]]
    marks = [(_int(a), _int(b), "hl-quote") for a, b in pieces]
    marks.append((cue_start, cue_end, "hl-cue"))
    marks.append((_int(quote.get("speaker_start")), _int(quote.get("speaker_end")), "hl-speaker"))
    spans = []
    for a, b, cls in marks:
        if a is None or b is None:
            continue
        a, b = max(a - base, 0), min(b - base, len(context))
        if a < b:
            spans.append((a, b, cls))
    return context, spans


def highlight(context: str, spans: list[tuple[int, int, str]]) -> str:
    """Escaped context with each highlighted stretch wrapped in a span; overlapping marks combine classes."""
    cuts = sorted({0, len(context), *(a for a, _, _ in spans), *(b for _, b, _ in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        classes = sorted({cls for s, e, cls in spans if s <= a and b <= e})
        piece = _e(context[a:b])
        out.append(f'<span class="{" ".join(classes)}">{piece}</span>' if classes else piece)
    return "".join(out)


def speaker_chart(speakers: list[dict[str, Any]], labels: list[str], limit: int) -> str:
    """Horizontal stacked bars, one per speaker (most quoted first), one colour per stance; inline SVG."""
    colours = label_colours(labels)
    rows = [s for s in speakers if s["resolved"]][: max(int(limit), 0)]
    label_w, bar_w, row_h, legend_h = 230, 470, 22, 30
    width = label_w + bar_w + 60
    height = legend_h + max(len(rows), 1) * row_h + 8
    parts = [
        f'<svg id="speaker-chart" role="img" aria-label="Stance per speaker" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    ]
    x = label_w
    for label in labels:
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colours[label]}"></rect>')
        parts.append(f'<text x="{x + 16}" y="16">{_e(label)}</text>')
        x += 22 + 7 * len(label)
    if not rows:
        parts.append(f'<text x="{label_w}" y="{legend_h + 15}">No quote was attributed to a named speaker.</text>')
    most = max([s["quotes"] for s in rows] or [1])
    for i, s in enumerate(rows):
        y = legend_h + i * row_h
        counts = [(label, int(s.get(f"n_{label}", 0))) for label in labels]
        tip = f"{s['speaker']} ({s['speaker_type']}): {s['quotes']} quotes; " + ", ".join(
            f"{label} {n}" for label, n in counts if n
        )
        parts.append(
            f'<g class="bar" tabindex="0" data-speaker="{_e(s.get("speaker_id") or s["speaker"])}"><title>{_e(tip)}</title>'
        )
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_e(truncate(s["speaker"], 32))}</text>')
        x = float(label_w)
        for label, n in counts:
            if n:
                w = n / most * bar_w
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colours[label]}"></rect>'
                )
                x += w
        parts.append(f'<text x="{x + 5:.1f}" y="{y + 15}">{s["quotes"]}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _source_link(source: str | None, line: Any) -> str:
    if not source:
        return ""
    path = Path(source)
    name = path.name + (f", line {line}" if _int(line) is not None else "")
    try:
        href = path.resolve().as_uri()
    except ValueError:
        return _e(name)
    return f'<a href="{_e(href)}">{_e(name)}</a>'


def _speaker_key(q: dict[str, Any]) -> str:
    """What the speaker filter matches: the quote's speaker_id (one per person across articles) when it has one."""
    speaker = q.get("speaker")
    if not (isinstance(speaker, str) and speaker.strip()):
        return UNRESOLVED
    speaker_id = q.get("speaker_id")
    return speaker_id if isinstance(speaker_id, str) and speaker_id else speaker


def _quote_row(q: dict[str, Any], n: int, colours: dict[str, str], label_index: dict[str, int]) -> str:
    speaker = q.get("speaker")
    resolved = isinstance(speaker, str) and bool(speaker.strip())
    key = _speaker_key(q)
    stance = str(q.get("stance"))
    low = bool(q.get("low_confidence"))
    who = (
        f'<span class="speaker-name">{_e(speaker)}</span> <span class="meta">({_e(q.get("speaker_type"))})</span>'
        if resolved
        else f'<span class="meta">unresolved speaker{": " + _e(q["speaker_mention"]) if q.get("speaker_mention") else ""}</span>'
    )
    cue = f" · cue <b>{_e(q['cue'])}</b>" if q.get("cue") else ""
    flag = ' <span class="low-flag">low confidence</span>' if low else ""
    context, spans = _spans_in_context(q)
    colour = colours.get(stance, "#57606a")
    return (
        f'<div class="quote stance-{label_index.get(stance, -1)}{" low" if low else ""}" id="quote-{n}" '
        f'data-stance="{_e(stance)}" data-speaker="{_e(key)}" data-low="{int(low)}" data-quote-id="{_e(q.get("quote_id"))}">'
        f'<div class="head"><span class="stance" style="background:{colour}">{_e(stance)} '
        f"{float(q.get('stance_score') or 0):.2f}</span>{flag} {who}{cue} · {_e(q.get('type'))} · "
        f'<a href="#quote-{n}">{_e(q.get("quote_id"))}</a></div>'
        f'<p class="ctx">{highlight(context, spans)}</p></div>'
    )


def _figures(summary: dict[str, Any], labels: list[str]) -> str:
    rows = [
        ("articles", summary.get("articles")),
        ("rejected articles (rejects.jsonl)", summary.get("rejected")),
        ("quotes", summary.get("quotes")),
        ("speakers (resolved)", summary.get("speakers")),
        ("quotes with no resolved speaker", summary.get("unresolved_quotes")),
        (
            f"low-confidence quotes (stance_score < {summary.get('low_confidence_threshold')})",
            summary.get("low_confidence"),
        ),
    ]
    rows += [(f"stance: {label}", (summary.get("stance_counts") or {}).get(label, 0)) for label in labels]
    body = "".join(f'<tr><th>{_e(k)}</th><td class="n">{_e(v)}</td></tr>' for k, v in rows)
    return f'<table class="figures">{body}</table>'


def render_report(
    quotes: list[dict[str, Any]],
    speakers: list[dict[str, Any]],
    labels: list[str],
    summary: dict[str, Any],
    max_speakers: int = 20,
) -> str:
    """The whole page as one string. `quotes` is the report's sample (with `source`/`source_line` per
    quote where known), `speakers` the SpeakerTally rows, `summary` the run's figures."""
    colours = label_colours(labels)
    label_index = {label: i for i, label in enumerate(labels)}
    by_article: dict[str, list[dict[str, Any]]] = {}
    for q in quotes:
        by_article.setdefault(str(q.get("article_id")), []).append(q)
    sample_speakers = Counter(_speaker_key(q) for q in quotes)
    names = {(s.get("speaker_id") or s["speaker"]): s["speaker"] for s in speakers}  # key -> the name shown
    for q in quotes:
        names.setdefault(_speaker_key(q), q["speaker"] if _speaker_key(q) != UNRESOLVED else UNRESOLVED)
    chart_speakers = [(s.get("speaker_id") or s["speaker"]) for s in speakers if s["resolved"]][:max_speakers]
    options = sorted(
        set(sample_speakers) | set(chart_speakers), key=lambda s: (-sample_speakers.get(s, 0), names.get(s, s), s)
    )

    sections, n = [], 0
    for i, (article_id, rows) in enumerate(by_article.items()):
        head = f"<h3>article <code>{_e(article_id)}</code> {_source_link(rows[0].get('source'), rows[0].get('source_line'))}</h3>"
        body = []
        for q in rows:
            n += 1
            body.append(_quote_row(q, n, colours, label_index))
        sections.append(
            f'<section class="article" id="article-{i + 1}" data-article-id="{_e(article_id)}">{head}{"".join(body)}</section>'
        )

    shown = len(quotes)
    total = summary.get("quotes", shown)
    sample_note = (
        f"all {shown} quotes"
        if shown == total
        else f"a uniform sample of {shown} of {total} quotes (all are in quotes.parquet)"
    )
    speaker_table = "".join(
        f"<tr><td>{_e(s['speaker'])}</td><td>{_e(s['speaker_type'])}</td><td class='n'>{s['quotes']}</td>"
        + "".join(f"<td class='n'>{s.get(f'n_{label}', 0)}</td>" for label in labels)
        + "</tr>"
        for s in speakers[: max(max_speakers, 0) * 2]
    )
    model = f"{summary.get('model_uri')}" + (
        f" (version {summary['model_version']})" if summary.get("model_version") else ""
    )
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    stance_options = "".join(f'<option value="{_e(label)}">{_e(label)}</option>' for label in labels)
    speaker_options = "".join(
        f'<option value="{_e(s)}">{_e(truncate(names.get(s, s), 50))} ({sample_speakers.get(s, 0)})</option>'
        for s in options
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quotes and stances: {_e(Path(str(summary.get("input", ""))).name)}</title>
<style>{CSS}</style></head>
<body>
<h1>Quotes and stances</h1>
<p class="meta">Input <code>{_e(summary.get("input"))}</code> · model <code>{_e(model)}</code> · generated {generated}</p>
{_figures(summary, labels)}
<h2>Stance per speaker</h2>
<p class="meta">The {min(max_speakers, sum(1 for s in speakers if s["resolved"]))} most quoted speakers; click a bar to list their quotes. Full table: speakers.csv.</p>
{speaker_chart(speakers, labels, max_speakers)}
<details><summary>Speaker table</summary><table class="figures"><tr><th>speaker</th><th>type</th><th class="n">quotes</th>{"".join(f'<th class="n">{_e(label)}</th>' for label in labels)}</tr>{speaker_table}</table></details>
<h2 id="quotes">Quotes</h2>
<p class="meta">Showing {_e(sample_note)}, each in its sentence: <span class="hl-quote">quote</span>, <span class="hl-cue">cue</span>, <span class="hl-speaker">speaker mention</span>.</p>
<div class="filters">
<label>Stance <select id="f-stance"><option value="">all</option>{stance_options}</select></label>
<label>Speaker <select id="f-speaker"><option value="">all</option>{speaker_options}</select></label>
<label><input type="checkbox" id="f-low"> low confidence only</label>
<span class="meta"><span id="f-count">{shown}</span> shown</span>
</div>
{"".join(sections) or "<p>No quotes were found.</p>"}
<script>{SCRIPT}</script>
</body></html>
"""
