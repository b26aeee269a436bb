"""The instructor's class report in markdown (report.md) and its image (report.png):
score distribution, per question full / partial / zero / not attempted, the most
frequent mistakes, and the item analysis of the quizzes."""
from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

from rnnquiz.model.printable import printable
from rnnquiz.outputs.analysis import MIN_FOR_DISCRIMINATION, by_assignment, items, summarize

DISCRIMINATION = ("discrimination: the share right among the top third of the class (by total score) minus "
                  "the share right among the bottom third; near 0 or below, the question does not tell who "
                  "knows the material (or its key is wrong)")

TOO_FEW = (f"\\* Fewer than {MIN_FOR_DISCRIMINATION} students: the thirds hold a handful each, one student more or "
           "less moves the discrimination by a third or more, so it means little here (a small class shows +1.00 "
           "for nearly every item).")


# --- markdown -----------------------------------------------------------------------

def cell(text: str) -> str:
    """Text for a markdown table cell: its pipes escaped (GitHub's tables split on
    every unescaped pipe, even inside code spans, where ``\\|`` still reads as a pipe),
    its lines joined."""
    return " ".join(printable(text).replace("|", "\\|").split())


def plain(text: str) -> str:
    """Student-derived text (a file name, an error line) as literal markdown: no raw HTML, no table break."""
    return cell(text).replace("<", "\\<")


def code(text: str) -> str:
    """Text (a student id, a key) as inline code that no backtick inside can end."""
    text = " ".join(printable(text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def label(mistake: str, mistakes: dict) -> str:
    """The mistake's key and its whole sentence (English when there is one: the report is the instructor's)."""
    sentence = sentence_of(mistake, mistakes)
    return f"{code(mistake)}: {sentence}" if sentence else code(mistake)


def sentence_of(mistake: str, mistakes: dict) -> str:
    texts = (mistakes or {}).get(mistake) or {}
    return texts.get("en") or next(iter(texts.values()), "")


def markdown(rows: list, n: int, mistakes: dict | None = None, quiz: list | None = None) -> str:
    lines = [f"Class report: {n} graded submissions", "",
             "| question | mean / max | full | partial | zero | not attempted | most frequent mistakes |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        top = "; ".join(f"{label(m, mistakes or {})} ({c})" for m, c in row["mistakes"]) or "-"
        lines.append(f"| {cell(code(row['question']))} | {row['mean']:.2f} / {row['max']:g} | {row['full']} | "
                     f"{row['partial']} | {row['zero']} | {row['not_attempted']} | {cell(top)} |")
    lines += ["", "Zero: answered and wrong; not attempted (an untouched stub, a missing function, a blank "
              "quiz) is counted apart and is never a mistake."]
    if quiz:
        lines += ["", "### Quiz answers (item analysis)", "",
                  "Students per letter (the right one in bold), then the share right and the discrimination.", ""]
        letters = sorted({x for item in quiz for x in item.letters})
        lines += ["| quiz | " + " | ".join(letters) + " | other | not attempted | right | discrimination |",
                  "|---|" + "---|" * (len(letters) + 4)]
        for item in quiz:
            counts = [(f"**{item.counts[x]}**" if x in item.correct else str(item.counts[x]))
                      if x in item.counts else "" for x in letters]
            lines.append(f"| {cell(code(item.question))} | " + " | ".join(counts) +
                         f" | {item.other} | {item.blank} | {item.right}/{item.n} ({item.share:.0%}) | "
                         f"{_signed(item.discrimination)}{_few(item)} |")
        lines += ["", DISCRIMINATION[0].upper() + DISCRIMINATION[1:] + "."]
        if any(item.too_few and item.discrimination is not None for item in quiz):
            lines += ["", TOO_FEW]
    return "\n".join(lines) + "\n"


def _few(item) -> str:
    return "*" if item.too_few and item.discrimination is not None else ""


def _signed(x: float | None) -> str:
    return "-" if x is None else f"{x:+.2f}"


def flagged(results: list) -> str:
    """The submissions that carry the instructor's own files (see flags.py)."""
    lines = [f"- {code(r.student)} ({plain(r.notebook.rsplit('/', 1)[-1])}): {plain(flag)}"
             for r in results for flag in r.flags]
    if not lines:
        return ""
    return "\n## Flagged: look at these submissions\n\n" + "\n".join(lines) + "\n"


def errors(results: list) -> str:
    lines = [f"- {code(r.student)}: {plain(r.error)}" for r in results if r.error]
    if not lines:
        return ""
    return "\n## Could not be graded\n\n" + "\n".join(lines) + "\n"


# --- the image ------------------------------------------------------------------------

_drawn: dict = {}  # the last image drawn: the HTML report embeds the same one


def png(rows: list, totals: list, max_score: float, quiz: list | None = None) -> bytes:
    """The class's image as PNG bytes (drawn once per class, whichever report asks first)."""
    key = repr((rows, totals, max_score, quiz))
    if key not in _drawn:
        _drawn.clear()
        buffer = io.BytesIO()
        _plot(rows, totals, max_score, quiz or [], buffer)
        _drawn[key] = buffer.getvalue()
    return _drawn[key]


def plot(rows: list, totals: list, max_score: float, path: Path, quiz: list | None = None):
    Path(path).write_bytes(png(rows, totals, max_score, quiz))


def _plot(rows: list, totals: list, max_score: float, quiz: list, target):
    """Three panels, four with quizzes: the distribution of total scores; per
    question, the share of full, partial, zero and not attempted; the most
    frequent diagnosed mistakes; per quiz, the share that chose each letter."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    top = Counter({(r["question"], m): c for r in rows for m, c in r["mistakes"]}).most_common(8)
    height = max(4.5, 0.42 * len(rows) + 1.5)
    if quiz:
        fig, axes = plt.subplots(2, 2, figsize=(16, height + max(3.5, 0.5 * len(quiz) + 2)),
                                 gridspec_kw={"height_ratios": [height, max(3.5, 0.5 * len(quiz) + 2)]})
        (ax1, ax2), (ax3, ax4) = axes
    else:
        fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, height), gridspec_kw={"width_ratios": [1.1, 1.2, 1.3]})
    # 1. totals: one bar per possible score
    top_score = int(max_score) if float(max_score).is_integer() else int(max_score) + 1
    counts = Counter(int(round(t)) for t in totals)
    ax1.bar(range(top_score + 1), [counts.get(k, 0) for k in range(top_score + 1)], color="#1565c0")
    ax1.set_title(f"Total scores ({len(totals)} students)")
    ax1.set_xlabel(f"score (out of {max_score:g})")
    ax1.set_ylabel("students")
    ax1.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax1.xaxis.set_major_locator(MaxNLocator(integer=True))
    # 2. per question: share of full / partial / zero / not attempted, first question on top
    names = [r["question"] for r in rows][::-1]
    n = max(len(totals), 1)
    left = [0.0] * len(rows)
    for key, colour, name in (("full", "#2e7d32", "full marks"), ("partial", "#f9a825", "partial"),
                              ("zero", "#c62828", "zero (wrong)"), ("not_attempted", "#9e9e9e", "not attempted")):
        share = [r[key] / n for r in rows][::-1]
        ax2.barh(names, share, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, share)]
    ax2.set_xlim(0, 1)
    ax2.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax2.set_title("Per question: share of students")
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=4, fontsize=9, frameon=False)
    # 3. the mistakes the graders named most often (never "not attempted")
    if top:
        labels = [f"{q}: {m}" for (q, m), _c in top][::-1]
        ax3.barh(labels, [c for _k, c in top][::-1], color="#6a1b9a")
        ax3.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax3.set_xlabel("students")
    else:
        ax3.text(0.5, 0.5, "no typical mistake named", ha="center", va="center", transform=ax3.transAxes)
        ax3.set_xticks([])
        ax3.set_yticks([])
    ax3.set_title("Most frequent mistakes (not attempted left out)")
    if quiz:
        _quiz_panel(ax4, quiz, PercentFormatter)
    for ax in (ax2, ax3):
        ax.tick_params(axis="y", labelsize=9)
    fig.tight_layout()
    fig.savefig(target, format="png", dpi=100)
    plt.close(fig)


def _quiz_panel(ax, quiz: list, percent):
    """Per quiz, one bar split by the letter chosen: the right letter green, the
    wrong ones in reds (the darkest: the distractor most chosen), blank grey."""
    names = [item.question for item in quiz][::-1]
    left = [0.0] * len(quiz)
    reds = ["#b71c1c", "#e53935", "#ef9a9a", "#ffcdd2", "#fce4ec"]
    for pos, item in enumerate(reversed(quiz)):
        n = max(item.n, 1)
        wrong = sorted((x for x in item.letters if x not in item.correct), key=lambda x: -item.counts[x])
        parts = [(x, item.counts[x], "#2e7d32") for x in item.letters if x in item.correct]
        parts += [(x, item.counts[x], reds[min(k, len(reds) - 1)]) for k, x in enumerate(wrong)]
        parts += [("?", item.other, "#795548"), ("", item.blank, "#9e9e9e")]
        for letter, count, colour in parts:
            if not count:
                continue
            ax.barh(pos, count / n, left=left[pos], color=colour, edgecolor="white")
            if letter and count / n >= 0.06:
                ax.text(left[pos] + count / (2 * n), pos, letter, ha="center", va="center", fontsize=10,
                        color="white" if colour in ("#2e7d32", "#b71c1c", "#e53935", "#795548") else "black")
            left[pos] += count / n
    ax.set_yticks(range(len(quiz)), names)
    ax.tick_params(axis="y", labelsize=9)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(percent(1.0))
    ax.set_title("Quiz answers by letter (green: right; reds: wrong; grey: not attempted)")


# --- the files ------------------------------------------------------------------------

def class_report(results: list, out_dir: Path, mistakes: dict | None = None) -> Path:
    """report.md and report.png; an assignment of several notebooks (each one
    of ours) gets a section and an image per notebook (report-<notebook>.png).
    ``results``: the whole class, error lines included (listed at the end)."""
    groups = by_assignment(results)
    parts = []
    for assignment, members in groups.items():
        rows, quiz = summarize(members), items(members)
        heading = f"## {assignment}\n\n" if len(groups) > 1 else ""
        parts.append(heading + markdown(rows, len(members), mistakes, quiz))
        if rows:
            image = out_dir / image_name(assignment, len(groups))
            plot(rows, [r.score for r in members], members[0].max_score, image, quiz)
    if not groups:
        parts.append("Class report: 0 graded submissions\n")
    (out_dir / "report.md").write_text("\n".join(parts) + flagged(results) + errors(results), encoding="utf-8")
    return out_dir / "report.md"


def image_name(assignment: str, n_groups: int) -> str:
    return "report.png" if n_groups == 1 else f"report-{assignment}.png"
