from flask import Flask
from flask.testing import FlaskClient

from tests.builders import make_service


def test_home_page_lists_popular_services(app: Flask, client: FlaskClient) -> None:
    make_service(popular=True, title={"sv": "Ansök om förskoleplats"})
    response = client.get("/")
    assert response.status_code == 200
    assert "Ansök om förskoleplats" in response.text


def test_unknown_page_gives_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Traceback" not in response.text
    assert "<h1>" in response.text
