import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error


def test_the_500_page_renders_without_a_database_in_the_visitors_language():
    # No db fixture: pytest-django fails any database access the page attempts.
    request = RequestFactory().get("/")

    with translation.override("da"):
        response = server_error(request)
    with translation.override("en"):
        english = server_error(request).content.decode()

    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="da">' in page
    assert "Noget gik galt" in page
    assert "Something went wrong" in english


@pytest.mark.django_db
@override_settings(ACCOUNT_RATE_LIMITS={"login": "1/m/ip"})
def test_a_rate_limited_log_in_answers_a_page_of_the_site_in_the_visitors_language(
    client,
):
    login = {"login": "karen@example.org", "password": "wrong-password"}
    client.post(reverse("account_login"), login)

    response = client.post(
        reverse("account_login"), login, headers={"accept-language": "da"}
    )

    page = response.content.decode()
    assert response.status_code == 429
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="da">' in page
    assert "Du gør det lidt for tit" in page
