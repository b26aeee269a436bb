"""The class report as one self-contained HTML page (report.html).

Everything is inline: the style, the image (a PNG in base64), and a few lines
of script that sort a table by the column header clicked.  The page's content
security policy allows nothing else (no network, no other script: only the
one whose hash it names), and every text in it is escaped: student ids,
file names, flags and error lines come from students.
"""
from __future__ import annotations

import base64
import hashlib
from html import escape
from pathlib import Path

from rnnquiz.outputs.analysis import by_assignment, items, median, summarize
from rnnquiz.outputs.report import DISCRIMINATION, TOO_FEW, image_name, png, sentence_of

SORT_SCRIPT = """\
(function () {
  function key(row, col) {
    var cell = row.cells[col];
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }
  function compare(a, b) {
    if (a === "" || b === "") { return (a === "") - (b === ""); }
    var x = Number(a), y = Number(b);
    if (!isNaN(x) && !isNaN(y)) { return x - y; }
    return a.localeCompare(b);
  }
  function sort(table, th) {
    var col = th.cellIndex, body = table.tBodies[0];
    var up = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r, s) {
      var a = key(r, col), b = key(s, col);
      if (a === "" || b === "") { return compare(a, b); }  /* blanks last, either way */
      return up ? compare(a, b) : compare(b, a);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sort(table, th); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(table, th); } });
    });
  });
})();
"""

STYLE = """\
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1250px; padding: 0 1em; color: #212121; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border-bottom: 1px solid #e0e0e0; padding: .3em .6em; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th { cursor: pointer; user-select: none; background: #f5f5f5; }
table.sortable th:hover { background: #e3f2fd; }
th[aria-sort=ascending]::after { content: " \\25B2"; } th[aria-sort=descending]::after { content: " \\25BC"; }
.note { color: #555; font-size: .92em; max-width: 60em; }
.why { display: block; color: #555; font-size: .9em; }
.lead { font-size: 1.05em; } .bad { color: #b71c1c; } .weak { color: #e65100; }
.right { font-weight: bold; color: #1b5e20; }
.bar { display: inline-block; height: .7em; background: #ef9a9a; margin-right: .3em; vertical-align: middle; }
.right .bar { background: #66bb6a; }
tr.error td { background: #fff3e0; } .flag { color: #b71c1c; }
#students { width: 100%; } #students td.score { white-space: nowrap; } #students td.mistakes { min-width: 20em; }
#students td.notes { overflow-wrap: anywhere; }
#students td.not-attempted .why { text-align: left; max-width: 16em; margin-left: auto; }
img { max-width: 100%; border: 1px solid #eee; }
code { font-size: .95em; }
"""


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def page(results: list, title: str, mistakes: dict | None = None) -> str:
    """The whole page, from every result of the class (error lines included)."""
    mistakes = mistakes or {}
    groups = by_assignment(results)
    graded = [r for r in results if not r.error]
    failed = [r for r in results if r.error]
    several = len(groups) > 1
    csp = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src {_script_hash(SORT_SCRIPT)}; "
           "base-uri 'none'; form-action 'none'")
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Class report: {escape(title)}</title>", f"<style>\n{STYLE}</style></head><body>",
           f"<h1>Class report: {escape(title)}</h1>",
           f'<p class="lead">{len(results)} {"notebooks" if several else "submissions"}: {len(graded)} graded, '
           f'<span class="{"bad" if failed else ""}">{len(failed)} could not be graded</span>, '
           f'{sum(bool(r.flags) for r in results)} flagged.</p>']
    for n, (assignment, members) in enumerate(groups.items()):
        out += _section(assignment, members, mistakes, len(groups), f"-{n + 1}" if several else "")
    out += _students(results, several, mistakes)
    out.append(f"<script>{SORT_SCRIPT}</script>\n</body></html>\n")  # the hashed text, byte for byte
    return "\n".join(out)


def _section(assignment: str, members: list, mistakes: dict, n_groups: int, suffix: str) -> list:
    """One assignment's numbers; ``suffix`` keeps its tables' ids apart from another notebook's."""
    rows, quiz = summarize(members), items(members)
    totals, top = [r.score for r in members], members[0].max_score
    out = [f"<h2>{escape(assignment)}</h2>" if n_groups > 1 else "<h2>Scores</h2>",
           f"<p>{len(members)} graded: mean {sum(totals) / len(totals):.2f}, median {median(totals):g}, "
           f"lowest {min(totals):g}, highest {max(totals):g} (of {top:g}).</p>"]
    if rows:
        data = base64.b64encode(png(rows, totals, top, quiz)).decode("ascii")
        what = "score distribution, results per question, most frequent mistakes" + (", quiz answers" if quiz else "")
        out.append(f'<p><img alt="{what} (the image {escape(image_name(assignment, n_groups))})" '
                   f'src="data:image/png;base64,{data}"></p>')
    out += ["<h3>Per question</h3>", f'<table class="sortable" id="questions{suffix}"><thead><tr><th>question</th>'
            '<th class="n">mean</th><th class="n">max</th><th class="n">full</th><th class="n">partial</th>'
            '<th class="n">zero</th><th class="n">not attempted</th><th>most frequent mistakes</th>'
            "</tr></thead><tbody>"]
    for row in rows:
        named = "".join(f"<div><code>{escape(m)}</code> ({c}){_why(m, mistakes)}</div>" for m, c in row["mistakes"])
        out.append(f"<tr><td><code>{escape(row['question'])}</code></td><td class=\"n\">{row['mean']:.2f}</td>"
                   f"<td class=\"n\">{row['max']:g}</td><td class=\"n\">{row['full']}</td>"
                   f"<td class=\"n\">{row['partial']}</td><td class=\"n\">{row['zero']}</td>"
                   f"<td class=\"n\">{row['not_attempted']}</td><td>{named or '&ndash;'}</td></tr>")
    out += ["</tbody></table>",
            '<p class="note">Zero: answered, and wrong. Not attempted (a stub left as it was, a function that is '
            "not there, a quiz left blank) is counted apart: it is not a mistake, and it is never among the "
            "mistakes named. Click a column's header to sort.</p>"]
    if quiz:
        out += _items(quiz, suffix)
    return out


def _why(mistake: str, mistakes: dict) -> str:
    sentence = sentence_of(mistake, mistakes)
    return f'<span class="why">{escape(sentence)}</span>' if sentence else ""


def _items(quiz: list, suffix: str) -> list:
    letters = sorted({x for item in quiz for x in item.letters})
    out = ["<h3>Quiz answers (item analysis)</h3>",
           f'<table class="sortable" id="items{suffix}"><thead><tr><th>quiz</th>'
           + "".join(f'<th class="n">{escape(x)}</th>' for x in letters)
           + '<th class="n">other</th><th class="n">not attempted</th><th class="n">right</th>'
           '<th class="n">discrimination</th><th>most chosen wrong letter</th></tr></thead><tbody>']
    for item in quiz:
        cells = []
        for x in letters:
            if x not in item.counts:
                cells.append('<td class="n" data-sort=""></td>')
                continue
            n = item.counts[x]
            right = ' right' if x in item.correct else ''
            cells.append(f'<td class="n{right}" data-sort="{n}"><span class="bar" style="width:'
                         f'{round(60 * n / max(item.n, 1))}px"></span>{n}</td>')
        d = item.discrimination
        tone = "" if d is None else ("bad" if d < 0 else "weak" if d < 0.2 else "")
        letter, n = item.top_distractor
        distractor = f"{escape(letter)}: {n} of {item.n} ({n / max(item.n, 1):.0%})" if letter else "&ndash;"
        out.append(f"<tr><td><code>{escape(item.question)}</code></td>{''.join(cells)}"
                   f'<td class="n">{item.other}</td><td class="n">{item.blank}</td>'
                   f'<td class="n" data-sort="{item.share:.4f}">{item.right}/{item.n} ({item.share:.0%})</td>'
                   f'<td class="n {tone}" data-sort="{"" if d is None else f"{d:.4f}"}">'
                   f'{"&ndash;" if d is None else f"{d:+.2f}"}{"*" if item.too_few and d is not None else ""}'
                   f'</td><td>{distractor}</td></tr>')
    out += ["</tbody></table>",
            f'<p class="note">Students per letter; the right letter in green (the one chosen by those with full '
            f"marks). A wrong letter chosen by many is a distractor that catches the class: the idea it stands "
            f"for is worth going over. The {escape(DISCRIMINATION)}: 0.3 or more separates well, below 0.2 "
            "(orange) look at the question, below 0 (red) check the key and the wording.</p>"]
    if any(item.too_few and item.discrimination is not None for item in quiz):
        out.append(f'<p class="note">{escape(TOO_FEW.lstrip(chr(92)))}</p>')
    return out


def _students(results: list, several: bool, mistakes: dict) -> list:
    out = ["<h2>Students</h2>", '<table class="sortable" id="students"><thead><tr><th>student</th>'
           + ("<th>notebook</th>" if several else "")
           + '<th class="n">score</th><th class="n">not attempted</th><th>mistakes and wrong answers</th>'
           "<th>flags and errors</th></tr></thead><tbody>"]
    for r in sorted(results, key=lambda r: (r.student, r.notebook)):
        notebook = Path(r.notebook).stem
        cells = [f"<td>{escape(r.student)}</td>"] + ([f"<td>{escape(notebook)}</td>"] if several else [])
        if r.error:
            cells += ['<td class="n score" data-sort=""></td>', '<td class="n not-attempted" data-sort=""></td>',
                      '<td class="mistakes"></td>']
        else:
            blank = r.not_attempted
            names = f' <span class="why">{escape(", ".join(blank))}</span>' if blank else ""
            lost = [_lost(q, mistakes) for q in r.questions if q.score < q.max_score and not q.not_attempted]
            cells += [f'<td class="n score" data-sort="{r.score:g}">{r.score:g} / {r.max_score:g}</td>',
                      f'<td class="n not-attempted" data-sort="{len(blank)}">{len(blank)}{names}</td>',
                      f'<td class="mistakes">{"".join(lost)}</td>']
        notes = ([f'<div class="bad">error: {escape(r.error)}</div>'] if r.error else []) + \
            [f'<div class="flag">flag: {escape(f)}</div>' for f in r.flags]
        cells.append(f'<td class="notes">{"".join(notes)}</td>')
        out.append(f'<tr class="{"error" if r.error else ""}" data-student="{escape(r.student)}" '
                   f'data-notebook="{escape(notebook)}">{"".join(cells)}</tr>')
    out += ["</tbody></table>",
            '<p class="note">Mistakes: the questions that lost points, with the mistake the graders named '
            "(a quiz: the letter chosen). Flags: the submission holds the instructor's own files (solution or "
            "hidden-test markers, solutions copied whole): look at it. Errors: nothing could be graded.</p>"]
    return out


def _lost(q, mistakes: dict) -> str:
    named = ", ".join(f'<code title="{escape(sentence_of(m, mistakes))}">{escape(m)}</code>' for m in q.mistakes)
    if q.kind == "quiz" and q.answer:
        named = f"chose {escape(q.answer)}" + (f", {named}" if named else "")
    return f"<div><code>{escape(q.name)}</code>{': ' + named if named else ''}</div>"


def write(results: list, out: Path, mistakes: dict):
    """``report.html`` in the class's folder (the registry's ``whole`` renderer)."""
    (out / "report.html").write_text(page(results, out.name, mistakes), encoding="utf-8")
