from django.test import RequestFactory
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
