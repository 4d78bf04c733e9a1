"""Report of the last `make mutation` run: bench/results/mutation.{json,md}, survivors explained.

Reads what mutmut left in mutants/ (the status of every mutant, `mutmut show` for each survivor's
diff) and sorts every mutant that was not killed into a reason it may stay alive. A survivor that
fits no reason is listed as "unexplained": each of those is a test to write (the run exits 1).
Not a benchmark: `python -m bench` skips modules whose name starts with "_".
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MUTANTS = REPO / "mutants"
RESULTS = REPO / "bench" / "results"
MUTMUT = REPO / ".venv" / "bin" / "mutmut"
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped"}
TIMEOUTS = {36, 24, -24, 152, 255}

# Why a survivor may live, tried in order on its diff (removed and added lines).
REASONS: list[tuple[str, str, re.Pattern[str]]] = [
    (
        "log",
        "A log line's words or arguments: nothing a caller, the journal or Amazon sees.",
        re.compile(r"^\s*(log\.\w+\(|\"[^\"]*%s|[\w.]+,?\s*\)?$|\)$)"),
    ),
    (
        "wording",
        "The English sentence of a refusal or outcome (the fallback text): its code and params, "
        "which the extension words itself, are asserted; the words of most sentences are not.",
        re.compile(r"^\s*(f?\"[^\"]*\s[^\"]*\s[^\"]*\",?|None,)\s*$"),
    ),
]
# Survivors looked at one by one: name prefix -> why it stays alive.
EXPLAINED: dict[str, str] = {
    "companion.actions.service.xǁActionServiceǁcancel": (
        "equivalent: `kind` and `id` literals are normalised when the journal reads the row back "
        "(any kind but 'refund' is a cancel; ids are opaque); note, agent and ticketUrl of a "
        "cancellation are covered for refunds, not asserted for cancels"
    ),
    "companion.actions.feeds.x__local": (
        "equivalent: a namespace URI cannot contain '}' (expat refuses it), so split and rsplit, "
        "with or without a limit, give the same local name"
    ),
    "companion.actions.guards.x__parse": (
        "equivalent: the journal writes every time with a 'Z'; fromisoformat reads 'Z' itself "
        "on Python 3.11"
    ),
    "companion.actions.reconcile.xǁCreateFeedReconcilerǁresolve": (
        "timing and logging of the polling loop (deadline arithmetic while no verdict exists, log "
        "arguments); the verdicts themselves are asserted in tests/actions/test_reconcile.py"
    ),
    "companion.actions.checks.x__buyer_default": (
        "unreachable through the API: plan_cancel asks _buyer_default only for an FBM view "
        "without a default reason, and every FBM view has one (amazon/build.py: "
        "default_cancel_reason gives BuyerCanceled when the buyer asked, GeneralAdjustment "
        "otherwise); cancel_reason_required stays the documented guard"
    ),
}
# Single survivors looked at one by one: name -> (functions, a pattern its diff matches, why).
EQUIVALENT: dict[str, tuple[tuple[str, ...], re.Pattern[str], str]] = {
    "no default reason": (
        ("companion.actions.checks.x__plan_fbm",),
        re.compile(r"^\+.*_buyer_default\(None\)", re.M),
        "unreachable: every FBM view has a default cancel reason (see _buyer_default)",
    ),
    "view refusal fallbacks": (
        ("companion.actions.checks.x__plan_fbm",),
        re.compile(r'^\+.*allowed\.(reason or "|code or "XXXX")', re.M),
        "equivalent: a refused cancel decision always names its sentence and code "
        "(amazon/rules.py: every Decision(False, ...) of cancel_decision), so the fallbacks "
        "are never used; the sentence, code and params passed on are asserted",
    ),
    "nothing shipped": (
        ("companion.actions.checks.x__open_items",),
        re.compile(r"^\+.*quantity_ordered \+ i\.quantity_shipped", re.M),
        "equivalent: open lines are counted only with nothing shipped: an FBM order with a "
        "shipped unit is refused before (cancel_after_shipment) and an MCF order is cancelled "
        "only while RECEIVED or PLANNING, whose lines show no unit shipped (build.mcf_item)",
    ),
    "fulfillment order": (
        ("companion.actions.checks.x__plan_mcf",),
        re.compile(
            r"^-\s*(raw_status = order\.status if order|fulfillment_order_id=order\.)", re.M
        ),
        "equivalent: an MCF view always carries its fulfillment order (build_mcf_view), whose "
        "id is the view's order id too, and the cancel call falls back to the order id "
        "(actions/mcf.py fulfillment_order_id)",
    ),
    "tax name": (
        ("companion.actions.amounts.x__tax_inside",),
        re.compile(r"^\+\s*name = TAX_NAMES\.get\(market\.tax_label, ", re.M),
        "equivalent: the fallback name is never used: only marketplaces whose prices include "
        "the tax get here (tax_label other than 'sales_tax'), and each such label is a key "
        "of TAX_NAMES; the name of every label is asserted word for word",
    ),
    "creating batch": (
        ("companion.actions.reconcile.xǁCreateFeedReconcilerǁ_verdict",),
        re.compile(r'^\+.*(create_started_at or "XXXX"|\.replace\("(z|XXZXX)", )', re.M),
        "equivalent: a batch in 'creating' always has its start time (set in the same "
        "statement as the state), written with a 'Z' that fromisoformat reads itself on "
        "Python 3.11",
    ),
    "verdict words": (
        ("companion.actions.reconcile.xǁCreateFeedReconcilerǁ_verdict",),
        re.compile(r'^\+\s*return \(("resend", "XXXX"|"XXunknownXX"|"UNKNOWN")', re.M),
        "equivalent: _apply ignores the value of a 'resend' verdict and settles every verdict "
        "but 'adopt' and 'resend' as undecided",
    ),
}


def statuses() -> dict[str, str]:
    """Every mutant's status, from the .meta files mutmut wrote next to each mutated module."""
    found: dict[str, str] = {}
    for meta in MUTANTS.rglob("*.meta"):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            found[name] = "timeout" if code in TIMEOUTS else STATUS.get(code, "not checked")
    return found


def diff_of(name: str) -> list[str]:
    """The changed lines of one mutant, as `mutmut show` prints them."""
    shown = subprocess.run(
        [str(MUTMUT), "show", name], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout
    return [
        line
        for line in shown.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def reason_of(name: str, diff: list[str]) -> str:
    """The key of the reason a survivor may live, or "unexplained"."""
    for prefix in EXPLAINED:
        if name.startswith(prefix + "__mutmut"):
            return prefix
    changed = "\n".join(diff)
    for key, (functions, found, _) in EQUIVALENT.items():
        if name.startswith(tuple(f + "__mutmut" for f in functions)) and found.search(changed):
            return key
    removed = [line[1:] for line in diff if line.startswith("-")]
    for key, _, pattern in REASONS:
        if removed and all(pattern.match(line) for line in removed):
            return key
    return "unexplained"


def main() -> int:
    """Write the report; exit 1 while a survivor is unexplained."""
    found = statuses()
    counts = Counter(found.values())
    alive = sorted(n for n, s in found.items() if s in ("survived", "no tests", "timeout"))
    rows = []
    for name in alive:
        diff = diff_of(name)
        rows.append(
            {"mutant": name, "status": found[name], "reason": reason_of(name, diff), "diff": diff}
        )
    killed = counts["killed"]
    checked = sum(counts.values()) - counts["not checked"]
    score = killed / checked if checked else 0.0
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary = {"mutants": len(found), "counts": dict(counts), "score": round(score, 4)}
    (RESULTS / "mutation.json").write_text(json.dumps({**summary, "alive": rows}, indent=1))
    reasons = {key: text for key, text, _ in REASONS} | EXPLAINED
    reasons |= {key: text for key, (_, _, text) in EQUIVALENT.items()}
    lines = [
        "# Mutation testing of the money path (`make mutation`)",
        "",
        f"mutmut over {', '.join(_modules(found))}: {len(found)} mutants, {killed} killed "
        f"({score:.1%} of those checked); "
        + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s != "killed")
        + ".",
        "",
        "Every mutant left alive, by reason:",
        "",
    ]
    by_reason = Counter(row["reason"] for row in rows)
    for key, n in by_reason.most_common():
        lines.append(f"- **{key}** ({n}): {reasons.get(key, 'a test is missing')}")
    lines += ["", "| mutant | status | reason | change |", "|---|---|---|---|"]
    for row in rows:
        change = " / ".join(d.strip()[:90].replace("|", "\\|") for d in row["diff"][:2])
        lines.append(f"| `{row['mutant']}` | {row['status']} | {row['reason']} | `{change}` |")
    (RESULTS / "mutation.md").write_text("\n".join(lines) + "\n")
    print(f"{killed}/{checked} killed ({score:.1%}); alive: {dict(by_reason)}")
    return 1 if by_reason["unexplained"] else 0


def _modules(found: dict[str, str]) -> list[str]:
    names = sorted({n.split(".x")[0] for n in found})
    return [f"`{n.removeprefix('companion.actions.')}`" for n in names]


if __name__ == "__main__":
    sys.exit(main())
