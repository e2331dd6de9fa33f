"""Resident-facing catalogue pages: the home page, categories and service pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from eservices import service

blueprint = Blueprint("eservices", __name__, template_folder="templates")


@blueprint.get("/")
def home() -> str:
    return render_template(
        "eservices/home.html", categories=service.categories(), popular=service.popular_services()
    )


@blueprint.get("/categories/<slug>")
def category(slug: str) -> str:
    found = service.find_category(slug)
    if found is None:
        abort(404)
    return render_template("eservices/category.html", category=found)


@blueprint.get("/services/<slug>")
def service_page(slug: str) -> str:
    found = service.find_service(slug)
    if found is None:
        abort(404)
    return render_template("eservices/service.html", service=found)
