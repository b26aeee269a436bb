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


def _label(mistake: str, mistakes: dict) -> str:
    """The mistake's key and its whole sentence (English when there is one: the report is the instructor's)."""
    texts = mistakes.get(mistake) or {}
    sentence = texts.get("en") or next(iter(texts.values()), "")
    return f"`{mistake}`: {sentence.replace('|', '/')}" if sentence else f"`{mistake}`"


def plot(rows: list, path: Path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(rows)), 4))
    names = [r["question"] for r in rows]
    full = [r["full"] for r in rows]
    partial = [r["partial"] for r in rows]
    zero = [r["zero"] for r in rows]
    ax.bar(names, full, color="#2e7d32", label="full marks")
    ax.bar(names, partial, bottom=full, color="#f9a825", label="partial")
    ax.bar(names, zero, bottom=[f + p for f, p in zip(full, partial)], color="#c62828", label="zero")
    ax.set_ylabel("submissions")
    ax.set_title("Scores per question")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    plt.setp(ax.get_xticklabels(), rotation=35, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def class_report(results: list, out_dir: Path, mistakes: dict | None = None) -> Path:
    rows = summarize(results)
    (out_dir / "report.md").write_text(markdown(rows, len(results), mistakes), encoding="utf-8")
    if rows:
        plot(rows, out_dir / "report.png")
    return out_dir / "report.md"
