"""Builders for form definitions in tests: a valid minimal form, with pages and fields overridable."""

from __future__ import annotations

import copy
from typing import Any

from forms.definition import FormDefinition
from forms.service import load_definition


def text(sv: str, en: str | None = None) -> dict[str, str]:
    return {"sv": sv, "en": en or sv}


def field(key: str, field_type: str = "short_text", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"key": key, "type": field_type}
    if field_type == "information":
        data["text"] = text(f"Information {key}")
    else:
        data["label"] = text(f"Fråga {key}", f"Question {key}")
    if field_type in ("single_choice", "multiple_choice") and "options" not in extra:
        extra["options"] = [option(value) for value in ("red", "green", "blue")]
    if field_type == "repeating_group" and "fields" not in extra:
        extra["fields"] = [field(f"{key}_name")]
    data.update(extra)
    return data


def option(value: str) -> dict[str, Any]:
    return {"value": value, "label": text(value.title())}


def page(page_id: str, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": page_id, "title": text(f"Sida {page_id}", f"Page {page_id}"), "fields": fields, **extra}


def definition_data(*pages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return copy.deepcopy(
        {
            "schema_version": 1,
            "key": "test-form",
            "title": text("Testformulär", "Test form"),
            "languages": ["sv", "en"],
            "pages": list(pages) or [page("start", [field("name")])],
            **extra,
        }
    )


def build(*pages: dict[str, Any], **extra: Any) -> FormDefinition:
    return load_definition(definition_data(*pages, **extra))


def when(key: str, operator: str, value: Any = None) -> dict[str, Any]:
    condition: dict[str, Any] = {"field": key, "operator": operator}
    if operator != "is_answered":
        condition["value"] = value
    return condition
