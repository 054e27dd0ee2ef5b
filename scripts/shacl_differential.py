"""Run the random differential test of the fast SHACL engine (tests/shacl/differential.py) longer
than CI does, and keep the cases where it disagrees with the reference.

python scripts/shacl_differential.py --cases 500 --seed 0 --jobs 2 --out differential-out

Prints the counts (cases, agreements, disagreements by constraint component, reference refusals)
and writes each disagreeing case to --out as SEED-shapes.ttl, SEED-data.ttl (or .trig) and
SEED.txt (both answers and the expected one), with summary.tsv listing them. Exits 0 when no case
disagrees, 1 when some do, 2 on an error (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests/ is not installed; spawned workers inherit sys.path

from tests.shacl.differential import (  # noqa: E402
    Disagreement,
    Engines,
    Verdict,
    check_many,
    generate,
    summarize,
)


def run(cases: int, first: int, jobs: int, progress: bool = True) -> list[Verdict]:
    """The verdicts on ``cases`` cases from seed ``first``, each engine in ``jobs`` processes."""
    verdicts: list[Verdict] = []
    with Engines(jobs) as engines:
        generated = [generate(seed) for seed in range(first, first + cases)]
        for verdict in check_many(generated, engines):
            verdicts.append(verdict)
            if progress and len(verdicts) % 10 == 0:
                print(f"\r{len(verdicts)}/{cases} cases", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return verdicts


def write_out(folder: Path, verdicts: Sequence[Verdict]) -> None:
    """Each disagreeing case as files, and summary.tsv."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["seed\tkinds\tmissing\tunexpected\tfast_conforms\thanded_to_pyshacl\tfirst_difference"]
    for verdict in verdicts:
        if verdict.status != "disagree":
            continue
        case = generate(verdict.seed)
        case.write(folder, f"{case.seed}-")
        (folder / f"{case.seed}.txt").write_text(
            str(Disagreement(case, verdict)) + "\n", encoding="utf-8"
        )
        first = sorted(verdict.missing | verdict.unexpected)
        difference = ""
        if first:
            sign = "-" if first[0] in verdict.missing else "+"
            difference = sign + " ".join(part for part in first[0] if part)
        elif verdict.fast.error:
            difference = verdict.fast.error
        cells = [
            str(case.seed),
            ",".join(verdict.kinds),
            str(len(verdict.missing)),
            str(len(verdict.unexpected)),
            str(verdict.fast.conforms),
            str(verdict.delegated),
            difference,
        ]
        rows.append("\t".join(" ".join(c.replace("\t", " ").split()) for c in cells))
    (folder / "summary.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def print_counts(counts: dict[str, object]) -> None:
    print(f"cases: {counts['cases']}")
    print(f"agreements: {counts['agreements']}")
    print(f"disagreements: {counts['disagreements']}")
    for kind, number in counts["by_kind"].items():  # type: ignore[attr-defined]
        print(f"  {kind}: {number}")
    print(f"reference refusals: {counts['refusals']}")
    print(
        f"handed to pySHACL by the fast engine: {counts['delegated']} "
        f"(of the disagreements: {counts['delegated_disagreements']})"
    )
    if counts["corrected"]:
        print("judge overrode pySHACL (its departures from the specification), cases:")
        for kind, number in counts["corrected"].items():  # type: ignore[attr-defined]
            print(f"  {kind}: {number}")
    if counts["judge_differs"]:
        print("judge and pySHACL differ on components pySHACL decides, cases:")
        for kind, number in counts["judge_differs"].items():  # type: ignore[attr-defined]
            print(f"  {kind}: {number}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=500, help="how many cases (default 500)")
    parser.add_argument("--seed", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for the disagreeing cases and summary.tsv"
    )
    args = parser.parse_args(argv)
    if args.cases < 1 or args.jobs < 1:
        print("shacl_differential: error: --cases and --jobs must be at least 1", file=sys.stderr)
        return 2
    try:
        verdicts = run(args.cases, args.seed, args.jobs)
        print_counts(summarize(verdicts))
        if args.out is not None:
            write_out(args.out, verdicts)
            print(f"disagreeing cases written to {args.out}")
    except KeyboardInterrupt:
        print("shacl_differential: interrupted", file=sys.stderr)
        return 2
    except Exception as error:  # one line, not a traceback
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"shacl_differential: error: {message}", file=sys.stderr)
        return 2
    return 1 if any(v.status == "disagree" for v in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
