"""Benchmark (a) of issue 4: logic and validation of one page with 100 fields and 100 rules.

Measures `forms.service.validate_page` (every field's validator, the page's logic over the cleaned answers and
the required checks) on one page of 100 fields whose 100 conditions chain through the page.
Baseline, measured in the same run: a bare loop that cleans the same 100 raw values with the same field
validators (`forms.validation.clean_value`) and no logic at all. Target: median at most 5 ms.

Run: /tmp/venv/bin/python benchmarks/form_logic.py [--runs N] [--no-write]
Appends the result to docs/benchmarks.md, section "Form logic".
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forms.service import FormDefinition, evaluate_page, load_definition, validate_page  # noqa: E402
from forms.validation import clean_value  # noqa: E402

TARGET_MS = 5.0
RESULTS_FILE = ROOT / "docs" / "benchmarks.md"
SECTION = "## Form logic"

# (field type, extra definition keys, a valid raw value) — a realistic mix of what e-service pages ask.
FIELD_KINDS: list[tuple[str, dict[str, Any], Any]] = [
    ("short_text", {"validation": {"max_length": 100}}, "Storgatan 1"),
    ("number", {"validation": {"min": 0, "max": 1000, "integer": True}}, "42"),
    ("yes_no", {}, "yes"),
    ("single_choice", {"options": [{"value": v, "label": {"sv": v}} for v in ("a", "b", "c")]}, "b"),
    ("email", {}, "anna.andersson@example.se"),
    ("phone", {}, "070-123 45 67"),
    ("postcode", {}, "123 45"),
    ("date", {"validation": {"min": "2000-01-01"}}, "2030-05-17"),
    ("personnummer", {}, "19850715-2398"),
    ("long_text", {}, "En längre beskrivning av ärendet.\nMed två rader."),
]


def condition_on(key: str, kind: str) -> dict[str, Any]:
    """A condition that holds for the raw value above, so every field stays shown and is fully validated."""
    if kind == "yes_no":
        return {"field": key, "operator": "equals", "value": True}
    if kind == "number":
        return {"field": key, "operator": "greater_than", "value": 10}
    if kind == "single_choice":
        return {"field": key, "operator": "one_of", "value": ["b", "c"]}
    return {"field": key, "operator": "is_answered"}


def build_form() -> tuple[FormDefinition, dict[str, Any]]:
    fields: list[dict[str, Any]] = []
    raw: dict[str, Any] = {}
    kinds: list[str] = []
    for index in range(100):
        kind, extra, value = FIELD_KINDS[index % len(FIELD_KINDS)]
        key = f"f{index:03d}"
        fields.append(
            {"key": key, "type": kind, "label": {"sv": f"Fråga {index}"}, "required": index % 3 == 0, **extra}
        )
        raw[key] = value
        kinds.append(kind)
    # 99 field rules, each on one or two earlier fields: chains of show/hide/required across the page
    for index in range(1, 100):
        previous = f"f{index - 1:03d}"
        earlier = f"f{index // 2:03d}"
        near = condition_on(previous, kinds[index - 1])
        far = condition_on(earlier, kinds[index // 2])
        if index % 3 == 0:
            fields[index]["show_when"] = {"all": [near, far]}
        elif index % 3 == 1:
            fields[index]["required_when"] = {"any": [near, far]}
        else:
            # Hidden only when the earlier answer is something it never is here, so the field stays shown.
            fields[index]["hide_when"] = {
                "all": [
                    {"field": previous, "operator": "is_answered"},
                    never_true(previous, kinds[index - 1]),
                ]
            }
    intro = {
        "id": "intro",
        "title": {"sv": "Intro"},
        "fields": [{"key": "go", "type": "yes_no", "label": {"sv": "Start?"}}],
    }
    # ... and the 100th rule: the page itself is shown only after the answer on the page before.
    big = {
        "id": "big",
        "title": {"sv": "Stor sida"},
        "show_when": {"field": "go", "operator": "equals", "value": True},
        "fields": fields,
    }
    data = {
        "schema_version": 1,
        "key": "benchmark",
        "title": {"sv": "Benchmark"},
        "languages": ["sv"],
        "pages": [intro, big],
    }
    return load_definition(data), raw


def never_true(key: str, kind: str) -> dict[str, Any]:
    if kind == "yes_no":
        return {"field": key, "operator": "equals", "value": False}
    if kind == "number":
        return {"field": key, "operator": "less_than", "value": 0}
    if kind == "single_choice":
        return {"field": key, "operator": "equals", "value": "a"}
    if kind == "date":
        return {"field": key, "operator": "less_than", "value": "1900-01-01"}
    return {"field": key, "operator": "equals", "value": "never this answer"}


def median_ms(function: Callable[[], object], runs: int) -> float:
    for _ in range(max(10, runs // 20)):  # warm caches before measuring
        function()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument(
        "--no-write", action="store_true", help="print only; do not append to docs/benchmarks.md"
    )
    arguments = parser.parse_args()

    definition, raw = build_form()
    page = definition.page("big")
    answers = {"go": True}
    cleaned, errors = validate_page(definition, "big", raw, answers, "sv")
    assert not errors, errors
    state = evaluate_page(definition, "big", {**answers, **cleaned})
    shown = sum(1 for item in state.fields.values() if item.visible)
    rules = (
        sum(1 for item in page.fields for c in (item.show_when, item.hide_when, item.required_when) if c) + 1
    )

    def logic_and_validation() -> object:
        return validate_page(definition, "big", raw, answers, "sv")

    def logic_only() -> object:
        return evaluate_page(definition, "big", {**answers, **cleaned})

    def baseline() -> object:
        return [clean_value(item, raw[item.key], item.key, "sv") for item in page.fields]

    full = median_ms(logic_and_validation, arguments.runs)
    logic = median_ms(logic_only, arguments.runs)
    bare = median_ms(baseline, arguments.runs)
    ratio = full / bare
    verdict = "meets" if full <= TARGET_MS else "MISSES"
    print(f"page: {len(page.fields)} fields ({shown} shown), {rules} rules; {arguments.runs} runs each")
    print(f"logic + validation (validate_page): median {full:.3f} ms — {verdict} the {TARGET_MS:g} ms target")
    print(f"logic alone (evaluate_page):        median {logic:.3f} ms")
    print(f"baseline (bare validator loop):     median {bare:.3f} ms")
    print(f"ratio logic+validation / baseline:  {ratio:.2f}×")
    if not arguments.no_write:
        record(
            f"| {dt.date.today().isoformat()} | Python {platform.python_version()} | "
            f"{len(page.fields)} / {rules} | {full:.3f} ms | {logic:.3f} ms | {bare:.3f} ms | {ratio:.2f}× | "
            f"{'yes' if full <= TARGET_MS else 'no'} |"
        )


HEADER = (
    f"{SECTION}\n\n"
    "`benchmarks/form_logic.py`: `validate_page` (logic + validation) of one page with 100 fields and "
    "100 rules. "
    "Baseline: a bare loop running the same field validators over the same 100 values, with no logic. "
    f"Target: median ≤ {TARGET_MS:g} ms.\n\n"
    "| date | Python | fields / rules | median logic + validation | median logic alone | median baseline "
    "| ratio to baseline | within target |\n"
    "|---|---|---|---|---|---|---|---|\n"
)


def record(row: str) -> None:
    """Append a row to the "Form logic" table, creating the file or the section when missing."""
    text = RESULTS_FILE.read_text(encoding="utf-8") if RESULTS_FILE.exists() else "# Benchmarks\n\n"
    if SECTION not in text:
        text = text.rstrip("\n") + "\n\n" + HEADER
    start = text.index(SECTION)
    following = text.find("\n## ", start + len(SECTION))
    end = len(text) if following == -1 else following + 1
    section = text[start:end].rstrip("\n") + "\n" + row + "\n"
    text = text[:start] + section + ("\n" + text[end:] if following != -1 else "")
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
