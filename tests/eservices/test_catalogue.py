"""The catalogue: search that forgives typos and Swedish inflection (on SQLite and PostgreSQL alike), the index
kept up to date, channels in digital-first order and popular services."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from core.db import db
from eservices import catalogue
from eservices.catalogue_models import ServiceDetails
from eservices.models import Category, Service
from tests.builders import make_category, make_resident, make_service


def _service(slug: str, title: dict[str, str], summary: dict[str, str], **details: Any) -> Service:
    service = make_service(slug=slug, title=title, summary=summary)
    db.add(ServiceDetails(service_id=service.id, **details))
    db.flush()
    return service


@pytest.fixture
def demo_services(app: Flask) -> dict[str, Service]:
    preschool = _service(
        "preschool-placement",
        {"sv": "Ansök om plats i förskola", "en": "Apply for a preschool place"},
        {"sv": "För barn från ett års ålder.", "en": "For children from the age of one."},
        synonyms={"sv": ["dagis", "barnomsorg"], "en": ["nursery"]},
    )
    permit = _service(
        "building-permit",
        {"sv": "Ansök om bygglov", "en": "Apply for a building permit"},
        {"sv": "När du ska bygga nytt eller bygga till.", "en": "When you build something new or extend."},
    )
    home_care = _service(
        "home-care",
        {"sv": "Ansök om hemtjänst", "en": "Apply for home-care assistance"},
        {"sv": "Hjälp hemma med städning och inköp.", "en": "Help at home with cleaning and shopping."},
    )
    db.commit()
    return {"preschool": preschool, "permit": permit, "home_care": home_care}


def slugs(query: str, language: str = "sv") -> list[str]:
    return [service.slug for service in catalogue.search(query, language).services]


@pytest.mark.parametrize(
    "query",
    ["förskola", "förskolan", "förskoleplats", "forskola", "Förskola", "försk", "dagis", "förskolor"],
)
def test_search_finds_the_preschool_service_from_inflected_and_misspelt_swedish(
    demo_services: dict[str, Service], query: str
) -> None:
    assert slugs(query)[0] == "preschool-placement"


@pytest.mark.parametrize("query", ["bygglov", "bygglof", "bygglovet", "byglov"])
def test_search_finds_the_building_permit_from_misspelt_and_inflected_queries(
    demo_services: dict[str, Service], query: str
) -> None:
    assert slugs(query)[0] == "building-permit"


def test_search_ranks_the_service_matching_more_words_first(demo_services: dict[str, Service]) -> None:
    assert slugs("hjälp hemma hemtjänst")[0] == "home-care"


def test_search_in_english_uses_english_texts_and_synonyms(demo_services: dict[str, Service]) -> None:
    assert slugs("nursery", "en") == ["preschool-placement"]


def test_a_query_in_another_language_still_finds_the_service(demo_services: dict[str, Service]) -> None:
    # A Swedish word typed with the English interface falls back to the Swedish texts.
    assert slugs("hemtjänst", "en") == ["home-care"]


def test_nothing_matches_gibberish_and_categories_are_suggested_instead(
    demo_services: dict[str, Service],
) -> None:
    results = catalogue.search("qwxzvb", "sv")
    assert results.empty
    assert results.categories, "an empty result must still suggest where to go"


def test_inactive_services_are_not_found(demo_services: dict[str, Service]) -> None:
    demo_services["permit"].active = False
    db.commit()
    assert "building-permit" not in slugs("bygglov")


def test_a_renamed_service_is_found_by_its_new_name_after_saving(demo_services: dict[str, Service]) -> None:
    demo_services["home_care"].title = {"sv": "Ansök om trygghetslarm", "en": "Apply for a safety alarm"}
    db.commit()
    assert slugs("trygghetslarm") == ["home-care"]


def test_new_synonyms_are_searchable_once_saved(demo_services: dict[str, Service]) -> None:
    details = db.get(ServiceDetails, demo_services["permit"].id)
    assert details is not None
    details.synonyms = {"sv": ["attefallshus"]}
    db.commit()
    assert slugs("attefallshuset") == ["building-permit"]


def test_changes_not_yet_committed_are_searchable_in_the_same_transaction(app: Flask) -> None:
    make_service(slug="snow", title={"sv": "Fråga om snöröjning"}, summary={"sv": "Snö och halka."})
    assert slugs("snöröjningen") == ["snow"]


def test_a_category_title_helps_find_its_services(app: Flask) -> None:
    category = make_category(title={"sv": "Trafik och parkering", "en": "Traffic"})
    make_service(category=category, slug="permit-x", title={"sv": "Ansök om tillstånd"}, summary={"sv": "."})
    db.commit()
    assert "permit-x" in slugs("parkering")


def test_an_empty_query_returns_no_services_but_all_categories(demo_services: dict[str, Service]) -> None:
    results = catalogue.search("   ", "sv")
    assert results.services == []
    assert {category.id for category in results.categories} == {
        service.category_id for service in demo_services.values()
    }


def test_channels_are_listed_digital_first(app: Flask) -> None:
    service = _service(
        "parking",
        {"sv": "Parkering"},
        {"sv": "."},
        external_url="https://example.se/e-tjanst",
        phone="0123-45 60 00",
        visit_address="Stora torget 1",
        postal_address="Box 100",
        printable_form_url="/forms/parking.pdf",
    )
    with app.test_request_context():
        kinds = [channel.kind for channel in catalogue.channels_of(service)]
    assert kinds == ["e_service", "phone", "visit", "letter"]


def test_a_service_without_an_e_service_starts_with_the_phone(app: Flask) -> None:
    service = _service("call-us", {"sv": "Ring oss"}, {"sv": "."}, phone="0123", visit_address="Torget 1")
    with app.test_request_context():
        kinds = [channel.kind for channel in catalogue.channels_of(service)]
    assert kinds == ["phone", "visit"]


def test_popular_services_are_the_marked_ones_then_the_most_filed(app: Flask) -> None:
    from eservices.service import create_case

    marked = make_service(slug="a-marked", popular=True)
    often = make_service(slug="b-often")
    make_service(slug="c-never")
    resident = make_resident()
    for _ in range(2):
        create_case(often, resident.id, {})
    assert [service.slug for service in catalogue.popular_services(3)][:2] == [marked.slug, often.slug]


def test_folding_and_stemming_make_spelling_variants_meet() -> None:
    assert catalogue.fold("Förskola") == "forskola"
    assert catalogue.stems("förskola förskolor", "sv") == ["forskol", "forskol"]


def test_reindex_all_rebuilds_every_service(demo_services: dict[str, Service]) -> None:
    assert catalogue.reindex_all() == len(list(db.query(Service)))
    assert slugs("bygglov") == ["building-permit"]
    assert db.query(Category).count() >= 1
