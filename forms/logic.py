"""Form logic: conditions over answers, and the server-side evaluation of which pages and fields are shown and
required.

A field or page carries its logic itself: `show_when`, `hide_when` and (fields) `required_when` conditions,
and a page may `skip_to` a later page. Evaluation is lazy per page: only the nodes the page depends on are
computed, in the dependency order worked out once when the definition was loaded (see `forms.definition`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from forms.definition import Field, FormDefinition

OPERATORS = ("equals", "not_equals", "one_of", "greater_than", "less_than", "is_answered")

PAGE_NODE_PREFIX = "page:"
"""Pages and fields share one dependency graph; page nodes carry this prefix (never valid in a field key)."""

Lookup = Callable[[str], Any]


def page_node(page_id: str) -> str:
    return PAGE_NODE_PREFIX + page_id


def is_answered(value: Any) -> bool:
    """An answer counts when it is not empty; False is an answer (a "no"), an empty string or list is not."""
    return value is not None and value != "" and value != [] and value != {}


def _ordered(left: Any, right: Any) -> tuple[Any, Any] | None:
    # Numbers compare as numbers, ISO dates as strings; anything else (or a bool posing as a number) is not.
    if isinstance(left, bool) or isinstance(right, bool):
        return None
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left, right
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return None


@dataclass(frozen=True, slots=True)
class Comparison:
    """One field's answer compared with a value; a hidden or unanswered field has no answer."""

    field: str
    operator: str
    value: Any = None

    def evaluate(self, lookup: Lookup) -> bool:
        answer = lookup(self.field)
        operator = self.operator
        if operator == "is_answered":
            return is_answered(answer)
        if operator == "equals":
            return _equals(answer, self.value)
        if operator == "not_equals":
            return not _equals(answer, self.value)
        if operator == "one_of":
            return any(_equals(answer, candidate) for candidate in self.value)
        pair = _ordered(answer, self.value)
        if pair is None:
            return False
        if operator == "greater_than":
            return bool(pair[0] > pair[1])
        return bool(pair[0] < pair[1])

    def fields(self) -> Iterator[str]:
        yield self.field


def _equals(answer: Any, expected: Any) -> bool:
    if isinstance(answer, list):
        # A multiple-choice answer "equals" an option when that option is among the choices.
        return expected in answer
    if isinstance(answer, bool) != isinstance(expected, bool):
        return False
    return bool(answer == expected)


@dataclass(frozen=True, slots=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def evaluate(self, lookup: Lookup) -> bool:
        return all(condition.evaluate(lookup) for condition in self.conditions)

    def fields(self) -> Iterator[str]:
        for condition in self.conditions:
            yield from condition.fields()


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[Condition, ...]

    def evaluate(self, lookup: Lookup) -> bool:
        return any(condition.evaluate(lookup) for condition in self.conditions)

    def fields(self) -> Iterator[str]:
        for condition in self.conditions:
            yield from condition.fields()


Condition = Comparison | AllOf | AnyOf


def parse_condition(data: Mapping[str, Any]) -> Condition:
    """Build a condition from its JSON form (already checked against the schema)."""
    if "all" in data:
        return AllOf(tuple(parse_condition(item) for item in data["all"]))
    if "any" in data:
        return AnyOf(tuple(parse_condition(item) for item in data["any"]))
    value = data.get("value")
    if isinstance(value, list):
        value = tuple(value)
    return Comparison(str(data["field"]), str(data["operator"]), value)


def iter_comparisons(data: Mapping[str, Any], location: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Every comparison inside a condition's JSON, with its location (e.g. "show_when.all[1]")."""
    for combinator in ("all", "any"):
        if combinator in data:
            for index, item in enumerate(data[combinator]):
                yield from iter_comparisons(item, f"{location}.{combinator}[{index}]")
            return
    yield data, location


@dataclass(frozen=True, slots=True)
class FieldState:
    visible: bool
    required: bool


HIDDEN = FieldState(visible=False, required=False)


@dataclass(frozen=True)
class PageState:
    """What a page shows given the answers so far: the page, its fields and each group entry's fields."""

    page_id: str
    visible: bool
    fields: Mapping[str, FieldState]
    entries: Mapping[str, tuple[Mapping[str, FieldState], ...]]

    def is_visible(self, key: str) -> bool:
        state = self.fields.get(key)
        return state is not None and state.visible

    def is_required(self, key: str) -> bool:
        state = self.fields.get(key)
        return state is not None and state.required


class Evaluator:
    """Evaluates visibility lazily over one set of answers, remembering what it has worked out."""

    def __init__(self, definition: FormDefinition, answers: Mapping[str, Any]) -> None:
        self.definition = definition
        self.answers = answers
        self._visible: dict[str, bool] = {}

    def value(self, key: str) -> Any:
        """The answer as logic sees it: nothing for a hidden field. The field must have been evaluated."""
        return self.answers.get(key) if self._visible.get(key) else None

    def _ensure(self, plan: Sequence[str]) -> None:
        visible = self._visible
        definition = self.definition
        for node in plan:
            if node in visible:
                continue
            if node.startswith(PAGE_NODE_PREFIX):
                visible[node] = self._page_is_shown(node[len(PAGE_NODE_PREFIX) :])
            else:
                field = definition.field(node)
                visible[node] = visible[page_node(field.page_id)] and _shown(field, self.value)

    def _page_is_shown(self, page_id: str) -> bool:
        page = self.definition.page(page_id)
        if not _shown(page, self.value):
            return False
        for rule in self.definition.skips_over(page_id):
            if self._visible[page_node(rule.from_page)] and rule.when.evaluate(self.value):
                return False
        return True

    def page_visible(self, page_id: str) -> bool:
        self._ensure(self.definition.page_plan(page_id))
        return self._visible[page_node(page_id)]

    def field_visible(self, key: str) -> bool:
        """Visibility of a top-level field (fields inside repeating groups depend on their entry)."""
        self._ensure(self.definition.node_plan(key))
        return self._visible[key]

    def page_state(self, page_id: str) -> PageState:
        page = self.definition.page(page_id)
        self._ensure(self.definition.page_plan(page_id))
        page_visible = self._visible[page_node(page_id)]
        states: dict[str, FieldState] = {}
        entries: dict[str, tuple[Mapping[str, FieldState], ...]] = {}
        for field in page.fields:
            state = self._field_state(field, self.value) if self._visible[field.key] else HIDDEN
            states[field.key] = state
            if field.type == "repeating_group":
                values = self.answers.get(field.key) if state.visible else None
                if isinstance(values, list):
                    entries[field.key] = tuple(
                        self.entry_state(field, entry if isinstance(entry, Mapping) else {})
                        for entry in values
                    )
                else:
                    entries[field.key] = ()
        return PageState(page_id, page_visible, states, entries)

    def entry_state(self, group: Field, entry: Mapping[str, Any]) -> dict[str, FieldState]:
        """One repeating-group entry's fields; their conditions see the entry first, then the whole form."""
        self._ensure(self.definition.node_plan(group.key))
        nested_visible: dict[str, bool] = {}
        nested_keys = group.nested_keys

        def lookup(key: str) -> Any:
            if key in nested_keys:
                return entry.get(key) if nested_visible.get(key) else None
            return self.value(key)

        states: dict[str, FieldState] = {}
        for key in self.definition.group_order(group.key):
            nested = self.definition.field(key)
            nested_visible[key] = _shown(nested, lookup)
        for nested in group.fields:
            states[nested.key] = self._field_state(nested, lookup) if nested_visible[nested.key] else HIDDEN
        return states

    @staticmethod
    def _field_state(field: Field, lookup: Lookup) -> FieldState:
        required = field.required or (
            field.required_when is not None and field.required_when.evaluate(lookup)
        )
        return FieldState(visible=True, required=required)


def _shown(element: Any, lookup: Lookup) -> bool:
    show_when: Condition | None = element.show_when
    hide_when: Condition | None = element.hide_when
    if show_when is not None and not show_when.evaluate(lookup):
        return False
    return not (hide_when is not None and hide_when.evaluate(lookup))


def evaluate_page(definition: FormDefinition, page_id: str, answers: Mapping[str, Any]) -> PageState:
    """Which of the page's fields (and group entries' fields) are shown and required, given the answers."""
    return Evaluator(definition, answers).page_state(page_id)


def visible_pages(definition: FormDefinition, answers: Mapping[str, Any]) -> list[str]:
    """The ids of the pages a person filling in the form walks through, in order, given the answers."""
    evaluator = Evaluator(definition, answers)
    return [page.id for page in definition.pages if evaluator.page_visible(page.id)]


def next_page(definition: FormDefinition, page_id: str, answers: Mapping[str, Any]) -> str | None:
    """The next shown page after `page_id`, or None when the check-answers page comes next."""
    evaluator = Evaluator(definition, answers)
    for page in definition.pages[definition.page(page_id).index + 1 :]:
        if evaluator.page_visible(page.id):
            return page.id
    return None


def previous_page(definition: FormDefinition, page_id: str, answers: Mapping[str, Any]) -> str | None:
    """The shown page before `page_id`, or None on the first page."""
    evaluator = Evaluator(definition, answers)
    for page in reversed(definition.pages[: definition.page(page_id).index]):
        if evaluator.page_visible(page.id):
            return page.id
    return None
