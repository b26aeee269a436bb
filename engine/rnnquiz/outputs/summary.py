"""What ``rnnquiz autograde`` prints of the grades: per assignment the score
distribution and a table of the questions (mean, full / partial / zero / not
attempted, the mistake named most often), then where the report files are."""
from __future__ import annotations

from pathlib import Path

from rnnquiz.outputs.analysis import by_assignment, histogram, median, summarize
from rnnquiz.outputs.formats import FORMATS, RECORDS

BAR = 30  # characters of the longest bar of the distribution


def grades(results: list) -> str:
    """The class's grades in a few lines (error lines are said by the caller, one per student)."""
    groups = by_assignment(results)
    if not groups:
        return "no submission could be graded"
    out = []
    for assignment, members in groups.items():
        totals, top = [r.score for r in members], members[0].max_score
        out.append(f"{assignment}: {len(members)} graded; score (of {top:g}): mean {sum(totals) / len(totals):.2f}, "
                   f"median {median(totals):g}, lowest {min(totals):g}, highest {max(totals):g}")
        bands = histogram(totals, top)
        widest = max(n for _lo, _hi, n in bands) or 1
        for low, high, n in bands:
            span = f"{low}" if low == high else f"{low}-{high}"
            out.append(f"  {span:>7}  {'#' * round(BAR * n / widest):<{BAR}}  {n}")
        rows = summarize(members)
        width = max([len(r["question"]) for r in rows] + [len("question")])
        out.append(f"  {'question':<{width}}  {'mean / max':>11}  {'full':>4}  {'partial':>7}  {'zero':>4}  "
                   f"{'not attempted':>13}  most frequent mistakes")
        for r in rows:
            # every mistake tied for the most frequent (report.html explains each)
            most = r["mistakes"][0][1] if r["mistakes"] else 0
            mistake = ", ".join(f"{key} ({count})" for key, count in r["mistakes"] if count == most) or "-"
            out.append(f"  {r['question']:<{width}}  {r['mean']:>5.2f} / {r['max']:<3g}  {r['full']:>4}  "
                       f"{r['partial']:>7}  {r['zero']:>4}  {r['not_attempted']:>13}  {mistake}")
        blank = [r for r in members if r.not_attempted]
        if blank:
            out.append(f"  not attempted: {sum(len(r.not_attempted) for r in blank)} questions left untouched "
                       f"in {len(blank)} of {len(members)} submissions (counted apart from the zeros)")
    return "\n".join(out)


def files(report_dir: Path, graded_now: int | None = None) -> str:
    """Where the reports are, the ones to open first first (each format of the
    registry names its own, ``Format.shown``); and, when the class's report
    also holds earlier runs' submissions (shards, a regrade), how many."""
    names = []
    for shown in sorted((s for f in FORMATS.values() for s in f.shown), key=lambda s: s.rank):
        folder, _, pattern = shown.pattern.rpartition("/")
        if not folder:
            names += sorted(p.name for p in report_dir.glob(pattern) if p.is_file())
        elif (report_dir / folder).is_dir():  # one file per submission: named by their count
            names.append(f"{folder}/ ({sum(1 for _ in (report_dir / folder).glob(pattern))} files)")
    line = f"reports in {report_dir}: " + ", ".join(names)
    kept = sum(1 for _ in (report_dir / RECORDS).glob("*.json"))
    if graded_now is not None and kept > graded_now:
        line += (f"\nthe class report holds {kept} submissions: this run's {graded_now} and "
                 f"{kept - graded_now} from earlier runs (other --student parts, earlier grading)")
    return line
