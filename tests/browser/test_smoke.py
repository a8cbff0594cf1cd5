import pytest

from tests.browser.conftest import axe_violations


@pytest.mark.browser
def test_hub_home_has_no_serious_accessibility_violations(new_page, hub):
    page = new_page()

    page.goto("/")

    assert page.locator("h1").inner_text() == "Nabolag Testkommune"
    assert axe_violations(page) == []
