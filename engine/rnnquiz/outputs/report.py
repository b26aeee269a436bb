"""The instructor's class report: score distribution and frequent mistakes per question."""
from __future__ import annotations

from collections import Counter
from pathlib import Path


def summarize(results: list) -> list:
    """One row per question: mean, full/partial/zero counts, top mistakes."""
    if not results:
        return []
    rows = []
    for i, q in enumerate(results[0].questions):
        scores = [r.questions[i].score for r in results]
        mistakes = Counter(m for r in results for m in set(r.questions[i].mistakes))
        rows.append({"question": q.name, "max": q.max_score, "mean": sum(scores) / len(scores),
                     "full": sum(s >= q.max_score for s in scores),
                     "partial": sum(0 < s < q.max_score for s in scores),
                     "zero": sum(s == 0 for s in scores), "scores": scores,
                     "mistakes": mistakes.most_common(3)})
    return rows


def markdown(rows: list, n: int, mistakes: dict | None = None) -> str:
    lines = [f"Class report: {n} graded submissions", "",
             "| question | mean / max | full | partial | zero | most frequent mistakes |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        top = "; ".join(f"{_label(m, mistakes or {})} ({c})" for m, c in row["mistakes"]) or "-"
        lines.append(f"| `{row['question']}` | {row['mean']:.2f} / {row['max']:g} | {row['full']} | "
                     f"{row['partial']} | {row['zero']} | {top} |")
    return "\n".join(lines) + "\n"


def flagged(results: list) -> str:
    """The submissions that carry the instructor's own files (see flags.py)."""
    lines = [f"- `{r.student}` ({r.notebook.rsplit('/', 1)[-1]}): {flag}" for r in results for flag in r.flags]
    if not lines:
        return ""
    return "\n## Flagged: look at these submissions\n\n" + "\n".join(lines) + "\n"


def _label(mistake: str, mistakes: dict) -> str:
    """The mistake's key and its whole sentence (English when there is one: the report is the instructor's)."""
    texts = mistakes.get(mistake) or {}
    sentence = texts.get("en") or next(iter(texts.values()), "")
    return f"`{mistake}`: {sentence.replace('|', '/')}" if sentence else f"`{mistake}`"


def plot(rows: list, totals: list, max_score: float, path: Path):
    """Three panels: the distribution of total scores; per question, the share of
    full, partial and zero; the most frequent diagnosed mistakes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    top = Counter({(r["question"], m): c for r in rows for m, c in r["mistakes"]}).most_common(8)
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, max(4.5, 0.42 * len(rows) + 1.5)),
                                        gridspec_kw={"width_ratios": [1.1, 1.2, 1.3]})
    # 1. totals: one bar per possible score
    top_score = int(max_score) if float(max_score).is_integer() else int(max_score) + 1
    counts = Counter(int(round(t)) for t in totals)
    ax1.bar(range(top_score + 1), [counts.get(k, 0) for k in range(top_score + 1)], color="#1565c0")
    ax1.set_title(f"Total scores ({len(totals)} students)")
    ax1.set_xlabel(f"score (out of {max_score:g})")
    ax1.set_ylabel("students")
    ax1.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax1.xaxis.set_major_locator(MaxNLocator(integer=True))
    # 2. per question: share of full / partial / zero, first question on top
    names = [r["question"] for r in rows][::-1]
    n = max(len(totals), 1)
    full = [r["full"] / n for r in rows][::-1]
    partial = [r["partial"] / n for r in rows][::-1]
    zero = [r["zero"] / n for r in rows][::-1]
    ax2.barh(names, full, color="#2e7d32", label="full marks")
    ax2.barh(names, partial, left=full, color="#f9a825", label="partial")
    ax2.barh(names, zero, left=[f + p for f, p in zip(full, partial)], color="#c62828", label="zero")
    ax2.set_xlim(0, 1)
    ax2.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax2.set_title("Per question: share of students")
    ax2.legend(loc="lower center", bbox_to_anchor=(0.5, -0.28), ncol=3, fontsize=9, frameon=False)
    # 3. the mistakes the graders named most often
    if top:
        labels = [f"{q}: {m}" for (q, m), _c in top][::-1]
        ax3.barh(labels, [c for _k, c in top][::-1], color="#6a1b9a")
        ax3.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax3.set_xlabel("students")
    else:
        ax3.text(0.5, 0.5, "no typical mistake named", ha="center", va="center", transform=ax3.transAxes)
        ax3.set_xticks([])
        ax3.set_yticks([])
    ax3.set_title("Most frequent mistakes (see report.md)")
    for ax in (ax2, ax3):
        ax.tick_params(axis="y", labelsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def class_report(results: list, out_dir: Path, mistakes: dict | None = None) -> Path:
    """report.md and report.png; an assignment of several notebooks (each one
    of ours) gets a section and an image per notebook (report-<notebook>.png)."""
    groups: dict = {}
    for r in results:
        groups.setdefault(r.assignment, []).append(r)
    parts = []
    for assignment, members in groups.items():
        rows = summarize(members)
        heading = f"## {assignment}\n\n" if len(groups) > 1 else ""
        parts.append(heading + markdown(rows, len(members), mistakes))
        if rows:
            image = "report.png" if len(groups) == 1 else f"report-{assignment}.png"
            plot(rows, [r.score for r in members], members[0].max_score, out_dir / image)
    (out_dir / "report.md").write_text("\n".join(parts) + flagged(results), encoding="utf-8")
    return out_dir / "report.md"
