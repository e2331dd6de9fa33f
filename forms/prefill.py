"""Prefill: a typed registry of providers that supply initial answers (the resident's profile, the population
register, ...), and the step that applies them to a definition.

A provider registers itself with `@register` in its `forms/contrib/<name>.py`; callers may pass their own
`PrefillRegistry` (tests do). Prefilled values are cleaned like typed answers, so an unusable register value
is left out rather than shown, and each one is marked with where it came from and whether it is locked.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar, Protocol, TypeVar

from forms.definition import Field, FormDefinition
from forms.validation import LockedValues, clean_value


class ResidentLike(Protocol):
    """What providers may read of a resident; `core.models.Resident` fits."""

    personnummer: str
    given_name: str
    family_name: str
    email: str | None
    phone: str | None
    street_address: str | None
    postcode: str | None
    city: str | None


@dataclass(frozen=True)
class PrefillContext:
    """Who the form is being filled in for; anonymous forms have no resident and get no prefill."""

    resident: ResidentLike | None = None

    @property
    def personnummer(self) -> str | None:
        return self.resident.personnummer if self.resident is not None else None


class PrefillProvider(ABC):
    """A source of initial answers. `attributes` lists what it can supply; the definition checker uses it."""

    name: ClassVar[str]
    attributes: ClassVar[frozenset[str]]

    @abstractmethod
    def fetch(self, context: PrefillContext, attributes: Collection[str]) -> dict[str, Any]:
        """The requested attributes it has for this person (missing ones are simply left out)."""


ProviderType = TypeVar("ProviderType", bound=type[PrefillProvider])


class PrefillRegistry:
    def __init__(self) -> None:
        self._providers: dict[str, PrefillProvider] = {}

    def add(self, provider: PrefillProvider) -> None:
        self._providers[provider.name] = provider

    def __call__(self, provider_class: ProviderType) -> ProviderType:
        """Class decorator: register an instance made with the provider's defaults."""
        self.add(provider_class())
        return provider_class

    def __getitem__(self, name: str) -> PrefillProvider:
        return self._providers[name]

    def __contains__(self, name: object) -> bool:
        return name in self._providers

    def __iter__(self) -> Iterator[PrefillProvider]:
        return iter(self._providers.values())

    def catalogue(self) -> dict[str, frozenset[str]]:
        """Each provider's attributes, for checking definitions."""
        return {name: provider.attributes for name, provider in self._providers.items()}


registry = PrefillRegistry()
register: Callable[[ProviderType], ProviderType] = registry


@dataclass(frozen=True, slots=True)
class PrefilledValue:
    source: str
    attribute: str
    locked: bool


@dataclass
class PrefillResult:
    """Initial answers and, per answer path ("email", "children[0].personnummer"), where each came from."""

    answers: dict[str, Any] = dataclass_field(default_factory=dict)
    origins: dict[str, PrefilledValue] = dataclass_field(default_factory=dict)

    def is_prefilled(self, path: str) -> bool:
        return path in self.origins

    def is_locked(self, path: str) -> bool:
        origin = self.origins.get(path)
        return origin is not None and origin.locked

    def locked_values(self, definition: FormDefinition) -> LockedValues:
        """What validation must keep as the register said (see `forms.validation.LockedValues`)."""
        fields: dict[str, Any] = {}
        nested: dict[tuple[str, str], tuple[Any, ...]] = {}
        for field in definition.fields():
            if field.prefill is None or not field.prefill.locked:
                continue
            if field.group_key is None:
                if field.key in self.answers:
                    fields[field.key] = self.answers[field.key]
            else:
                entries = self.answers.get(field.group_key) or []
                nested[(field.group_key, field.key)] = tuple(
                    entry[field.key] for entry in entries if entry.get(field.key) is not None
                )
        return LockedValues(fields, nested)

    def to_json(self) -> dict[str, Any]:
        """The origins as JSON, for a draft to keep between pages."""
        return {
            path: {"source": origin.source, "attribute": origin.attribute, "locked": origin.locked}
            for path, origin in self.origins.items()
        }

    @classmethod
    def from_json(cls, answers: Mapping[str, Any], origins: Mapping[str, Any]) -> PrefillResult:
        return cls(
            dict(answers),
            {
                path: PrefilledValue(str(item["source"]), str(item["attribute"]), bool(item["locked"]))
                for path, item in origins.items()
            },
        )


def prefill(
    definition: FormDefinition, context: PrefillContext, providers: PrefillRegistry | None = None
) -> PrefillResult:
    """Ask each provider the definition uses, once, for everything the definition wants from it."""
    providers = providers if providers is not None else registry
    result = PrefillResult()
    if context.resident is None:
        return result
    wanted: dict[str, set[str]] = {}
    top_level = [
        field for field in definition.fields() if field.group_key is None and field.prefill is not None
    ]
    for field in top_level:
        assert field.prefill is not None
        wanted.setdefault(field.prefill.source, set()).add(field.prefill.attribute)
    fetched = {
        source: providers[source].fetch(context, attributes)
        for source, attributes in wanted.items()
        if source in providers
    }
    for field in top_level:
        assert field.prefill is not None
        value = fetched.get(field.prefill.source, {}).get(field.prefill.attribute)
        if value is None:
            continue
        origin = PrefilledValue(field.prefill.source, field.prefill.attribute, field.prefill.locked)
        if field.type == "repeating_group":
            entries = _group_entries(field, value, origin, result)
            if entries:
                result.answers[field.key] = entries
                result.origins[field.key] = origin
            continue
        cleaned = _clean(field, value)
        if cleaned is not None:
            result.answers[field.key] = cleaned
            result.origins[field.key] = origin
    return result


def _clean(field: Field, value: Any) -> Any:
    cleaned, errors = clean_value(field, value, field.key, "sv")
    return None if errors else cleaned


def _group_entries(
    group: Field, value: Any, origin: PrefilledValue, result: PrefillResult
) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    max_entries = group.validation.get("max_entries", len(value))
    entries: list[dict[str, Any]] = []
    for item in value[:max_entries]:
        if not isinstance(item, Mapping):
            continue
        index = len(entries)
        entry: dict[str, Any] = {}
        for nested in group.fields:
            if nested.prefill is None or item.get(nested.prefill.attribute) is None:
                continue
            cleaned = _clean(nested, item[nested.prefill.attribute])
            if cleaned is not None:
                entry[nested.key] = cleaned
                result.origins[f"{group.key}[{index}].{nested.key}"] = PrefilledValue(
                    origin.source, f"{origin.attribute}.{nested.prefill.attribute}", nested.prefill.locked
                )
        if entry:
            entries.append(entry)
    return entries
