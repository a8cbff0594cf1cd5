"""The platform's own pages: the accessibility statement, the privacy notice, the
contact page (and its form), the page on who runs Nabolag and the rules for
everyone."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Page
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from cms import services
from cms.models import MunicipalitySettings, PlatformPage
from hub.limits import HOUR, LIMITS, Limit
from tests.factories import UserFactory
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db

ROLES = ["accessibility", "privacy", "contact", "about", "rules"]
PORTAL_HOST = "skovby.example.dk"


def _page(role: str) -> PlatformPage:
    return PlatformPage.objects.get(role=role)


def _role_url(role: str) -> str:
    return reverse("cms:platform_page", args=[role])


def _footer(response) -> str:
    return response.text.split('<footer class="site-footer">', 1)[1]


@pytest.fixture
def contact_details(hub) -> MunicipalitySettings:
    details = MunicipalitySettings.load()
    details.address = "Egekær Rådhus\nTorvet 1\n8600 Egekær"
    details.email = "nabolag@egekaer.example"
    details.phone = "+45 70 10 20 30"
    details.phone_hours = "mandag-fredag 9-15"
    details.dpo_email = "dpo@egekaer.example"
    details.save()
    return details


@pytest.fixture
def moderator(hub):
    """Municipal staff as the admin makes them: in the group hub_ensure keeps."""
    person = UserFactory(is_staff=True, display_name="Kommunen")
    person.groups.add(Group.objects.get(name=services.MUNICIPAL_STAFF_GROUP))
    return person


# --- hub_ensure makes them


def test_hub_ensure_gives_the_hub_its_five_platform_pages_published(hub):
    pages = PlatformPage.objects.child_of(hub)

    assert sorted(pages.values_list("role", flat=True)) == sorted(ROLES)
    for page in pages:
        assert page.live
        assert page.live_revision_id is not None
        assert page.last_published_at is not None
        assert page.prepared_on == page.reviewed_on == timezone.localdate()
        assert page.body  # a default text, not an empty page
        assert not page.has_unpublished_changes


def test_hub_ensure_again_keeps_what_staff_changed_and_adds_no_page(hub):
    privacy = _page("privacy")
    privacy.title = "Sådan passer vi på dine data"
    privacy.save_revision().publish()
    about = _page("about")
    about.unpublish()
    pages_before = Page.objects.count()

    services.hub_ensure(title="Nabolag Testkommune", hostname="testserver")

    assert Page.objects.count() == pages_before
    assert _page("privacy").title == "Sådan passer vi på dine data"
    assert not _page("about").live


def test_hub_ensure_writes_the_default_texts_in_the_active_language(db):
    with translation.override("en"):
        services.hub_ensure(title="Nabolag", hostname="testserver")

    assert _page("accessibility").title == "Accessibility statement"
    assert _page("privacy").title == "Privacy notice"
    assert _page("contact").slug == "contact"
    assert _page("rules").title == "Rules for everyone"


def test_hub_ensure_makes_the_page_address_free_when_staff_took_it(db):
    with translation.override("en"):
        hub = services.hub_ensure(title="Nabolag", hostname="testserver")
        _page("contact").delete()
        hub.add_child(instance=Page(title="Kontakt os", slug="contact"))

        services.hub_ensure(title="Nabolag", hostname="testserver")

    assert _page("contact").slug == "contact-1"


def test_two_pages_cannot_have_the_same_role(hub):
    copy = PlatformPage(title="Endnu en", slug="endnu-en", role="privacy")

    with pytest.raises(ValidationError) as refused:
        copy.full_clean()

    assert "En anden side har allerede denne rolle." in str(refused.value)


def test_a_copy_of_a_platform_page_has_no_role(hub):
    copy = _page("privacy").copy(update_attrs={"slug": "kopi", "title": "Kopi"})

    assert copy.role == ""
    assert _page("privacy").pk != copy.pk


# --- the texts


def test_the_accessibility_statement_has_the_model_statements_parts(client, hub):
    page = _page("accessibility")

    text = client.get(page.url).text

    assert 'href="https://www.was.digst.dk"' in text  # the enforcement procedure
    assert "2016/2102" in text
    assert "WCAG" in text
    assert "axe-core" in text
    assert "Nu Html Checker" in text
    assert f'href="{_role_url("contact")}"' in text  # feedback
    prepared = page.prepared_on.isoformat()
    assert (
        text.count(f'<time datetime="{prepared}">') == 3
    )  # prepared, reviewed, updated


def test_the_privacy_notice_names_the_controller_the_cookies_and_the_complaint(
    client, contact_details, settings
):
    text = client.get(_page("privacy").url).text

    assert settings.NABOLAG_MUNICIPALITY_NAME in text
    assert "Torvet 1" in text
    assert 'href="mailto:dpo@egekaer.example"' in text
    assert 'href="https://www.datatilsynet.dk"' in text
    for cookie in (
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        "messages",
    ):
        assert f"<b>{cookie}</b>" in text
    for article in ("6(1)(e)", "9(2)(a)"):
        assert article in text


def test_the_contact_page_shows_the_municipalitys_address_email_and_phone(
    client, contact_details
):
    response = client.get(_page("contact").url)

    assert "Egekær Rådhus<br>Torvet 1<br>8600 Egekær" in response.text
    assert 'href="mailto:nabolag@egekaer.example"' in response.text
    assert 'href="tel:+4570102030"' in response.text
    assert "mandag-fredag 9-15" in response.text
    assert f'action="{reverse("cms:contact_send")}"' in response.text
    assert "dpo@egekaer.example" not in response.text  # the privacy notice's


def test_the_contact_page_without_an_address_for_messages_shows_no_form(client, hub):
    response = client.get(_page("contact").url)

    assert response.status_code == 200
    assert reverse("cms:contact_send") not in response.text


def test_the_about_page_says_the_municipality_runs_it_and_portals_run_themselves(
    client, hub, settings
):
    text = client.get(_page("about").url).text

    assert settings.NABOLAG_MUNICIPALITY_NAME in text
    assert "moderat" in text.lower()
    assert "portal" in text.lower()


def test_the_rules_page_numbers_the_rules_and_says_how_moderation_works(
    client, hub, settings
):
    text = client.get(_page("rules").url).text

    rules = re.search(r"<ol>(.*?)</ol>", text, re.S)
    assert rules is not None  # numbered, so a decision can name the rule
    assert rules.group(1).count("<li>") == 6
    assert settings.NABOLAG_MUNICIPALITY_NAME in text  # its moderators decide


def test_the_rules_page_is_reached_from_the_footer(client, hub):
    footer = _footer(client.get("/"))
    response = client.get(_role_url("rules"))

    assert f'href="{_role_url("rules")}"' in footer
    assert response.status_code == 302
    assert response["Location"] == _page("rules").url


def test_user_text_in_the_contact_details_is_escaped(client, contact_details):
    contact_details.address = "<script>alert(1)</script>"
    contact_details.save()

    response = client.get(_page("contact").url)

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


# --- staff edit them


def _edit_form(page: PlatformPage, *, body_html: str, **fields) -> dict:
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "intro": page.intro,
            "body": streamfield([("paragraph", rich_text(body_html))]),
            "prepared_on": page.prepared_on.isoformat(),
            "reviewed_on": page.reviewed_on.isoformat(),
            "comments": inline_formset([]),
            "action-publish": "publish",
            **fields,
        }
    )


def test_municipal_staff_publish_a_new_version_that_residents_see(client, moderator):
    page = _page("accessibility")
    client.force_login(moderator)

    edited = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        _edit_form(
            page,
            body_html="<p>Kortene kan nu bruges med tastaturet.</p>",
            reviewed_on="2027-03-01",
        ),
    )
    client.logout()
    shown = client.get(page.url)

    assert edited.status_code == 302, edited.context["form"].errors
    page.refresh_from_db()
    assert page.reviewed_on == date(2027, 3, 1)
    assert page.role == "accessibility"  # staff edit the text, not the role
    assert "Kortene kan nu bruges med tastaturet." in shown.text
    assert '<time datetime="2027-03-01">' in shown.text


def test_municipal_staff_edit_the_contact_details_in_the_admin(client, moderator):
    client.force_login(moderator)
    details = MunicipalitySettings.load()
    url = reverse(
        "wagtailsettings:edit", args=["cms", "municipalitysettings", details.pk]
    )

    response = client.post(
        url,
        {
            "address": "Rådhuset",
            "email": "borger@egekaer.example",
            "phone": "70 10 20 30",
            "phone_hours": "",
            "dpo_email": "",
        },
    )

    assert response.status_code == 302
    assert MunicipalitySettings.load().email == "borger@egekaer.example"


# --- every page links to them


@pytest.fixture
def skovby(make_portal):
    return make_portal("skovby", name="Skovby", hostname=PORTAL_HOST)


def test_the_footer_links_the_five_pages_on_the_hub_and_on_portals(client, skovby):
    pages = [
        client.get("/"),
        client.get("/villages/skovby/"),
        client.get("/", HTTP_HOST=PORTAL_HOST),
        client.get(reverse("account_login")),
    ]

    for response in pages:
        footer = _footer(response)
        for role in ROLES:
            assert f'href="{_role_url(role)}"' in footer


@pytest.mark.parametrize("role", ROLES)
def test_a_footer_link_leads_to_its_page_on_the_hub(client, hub, role):
    response = client.get(_role_url(role))

    assert response.status_code == 302
    assert response["Location"] == _page(role).url


@pytest.mark.parametrize("role", ROLES)
def test_a_footer_link_on_a_portals_own_host_leads_to_the_hubs_page(
    client, skovby, role
):
    response = client.get(_role_url(role), HTTP_HOST=PORTAL_HOST)
    page = client.get(response["Location"].removeprefix("http://testserver"))

    assert response["Location"] == _page(role).full_url
    assert page.status_code == 200
    assert page.context["page"].role == role


def test_a_footer_link_follows_the_page_when_staff_move_or_rename_it(client, hub):
    page = _page("privacy")
    page.slug = "dine-data"
    page.save_revision().publish()

    response = client.get(_role_url("privacy"))

    assert response["Location"] == "/dine-data/"


def test_a_footer_link_to_an_unpublished_or_unknown_page_is_not_found(client, hub):
    _page("about").unpublish()

    unpublished = client.get(_role_url("about"))
    unknown = client.get(_role_url("nonsense"))

    assert unpublished.status_code == 404
    assert unknown.status_code == 404


# --- query counts

# Measured. A visitor: Wagtail's site, the route (the hub and its type, the page
# and its type), the view restrictions (2); the privacy notice and the contact
# page add the municipality's contact details. The footer's links cost none.
PLATFORM_PAGE_QUERIES = {
    "accessibility": 7,
    "about": 7,
    "rules": 7,
    "privacy": 8,
    "contact": 8,
}
# Logged in adds the user, the session (without Redis), the header (unseen
# alerts, unread messages, page-editing rights) and the person's permissions (2,
# whether she may open the admin).
LOGGED_IN_EXTRA = 6 + session_queries()
# The page by its role, and the site its address is relative to.
FOOTER_LINK_QUERIES = 2


@pytest.mark.parametrize("role", ROLES)
def test_a_platform_page_makes_a_fixed_number_of_queries_for_a_visitor(
    client, contact_details, django_assert_num_queries, role
):
    url = _page(role).url
    client.get(url)  # warm Wagtail's site cache, as on a running server

    with django_assert_num_queries(PLATFORM_PAGE_QUERIES[role]):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_a_platform_page_makes_a_fixed_number_of_queries_logged_in(
    client, contact_details, django_assert_num_queries, role
):
    url = _page(role).url
    client.force_login(UserFactory())
    client.get(url)

    with django_assert_num_queries(PLATFORM_PAGE_QUERIES[role] + LOGGED_IN_EXTRA):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("host", ["testserver", PORTAL_HOST])
def test_a_footer_link_makes_a_fixed_number_of_queries(
    client, skovby, django_assert_num_queries, host
):
    client.get(_role_url("privacy"), HTTP_HOST=host)

    with django_assert_num_queries(FOOTER_LINK_QUERIES):
        response = client.get(_role_url("privacy"), HTTP_HOST=host)

    assert response.status_code == 302


# --- the contact form


def _send(client, **fields):
    data = {
        "name": "Karen Jensen",
        "email": "karen@example.org",
        "message": "Der ligger glasskår på legepladsen i Skovby.",
        **fields,
    }
    return client.post(reverse("cms:contact_send"), data)


def test_the_contact_form_sends_one_email_to_the_municipality(
    client, contact_details, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client)
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == _page("contact").url
    [mail] = mailoutbox
    assert mail.to == ["nabolag@egekaer.example"]
    assert mail.reply_to == ["karen@example.org"]
    assert "Karen Jensen" in mail.subject
    assert "Der ligger glasskår på legepladsen i Skovby." in mail.body
    assert "karen@example.org" in mail.body
    assert 'class="ds-alert" data-color="success" role="status"' in page.text


def test_the_contact_form_fills_in_a_logged_in_persons_name_and_address(
    client, contact_details, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(display_name="Karen fra Skovby", email="karen@example.org")
    client.force_login(person)

    form = client.get(_page("contact").url).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, name="Karen fra Skovby")

    assert form["name"].value() == "Karen fra Skovby"
    assert form["email"].value() == "karen@example.org"
    [mail] = mailoutbox
    assert "karen@example.org" in mail.body.split("-- ", 1)[1]  # the account


def test_an_incomplete_contact_form_keeps_what_was_typed_and_sends_nothing(
    client, contact_details, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, email="ikke-en-adresse", message="Mit langt svar")

    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert 'value="Karen Jensen"' in response.text
    assert 'value="ikke-en-adresse"' in response.text
    assert "Mit langt svar</textarea>" in response.text
    assert mailoutbox == []


def test_a_name_with_line_breaks_becomes_one_line(
    client, contact_details, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, name="Karen\r\nBcc: alle@example.org")

    [mail] = mailoutbox
    assert "\n" not in mail.subject
    assert mail.bcc == []
    assert "Karen Bcc: alle@example.org" in mail.subject


def test_the_contact_form_is_rate_limited_per_person_and_sends_no_more(
    client, contact_details, mailoutbox, django_capture_on_commit_callbacks
):
    allowed = LIMITS["contact-send"].count
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(allowed):
            _send(client)
        refused = _send(client, message="Og en gang til")

    assert refused.status_code == 429
    assert refused.context["form"].non_field_errors()
    assert "Og en gang til</textarea>" in refused.text
    assert len(mailoutbox) == allowed


def test_a_logged_in_person_is_counted_by_account_whatever_address_she_types(
    client, contact_details, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    allowed = LIMITS["contact-send"].count
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(allowed):
            _send(client, email=f"adresse{n}@example.org")
        refused = _send(client, email="endnu-en@example.org")

    assert refused.status_code == 429
    assert len(mailoutbox) == allowed


def test_visitors_together_have_a_limit_whatever_addresses_they_give(
    client,
    contact_details,
    mailoutbox,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    monkeypatch.setitem(LIMITS, "contact-send-visitors", Limit(2, HOUR))
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, email="a@example.org")
        _send(client, email="b@example.org")
        refused = _send(client, email="c@example.org")

    assert refused.status_code == 429
    assert [m.reply_to for m in mailoutbox] == [["a@example.org"], ["b@example.org"]]


def test_the_contact_form_without_an_address_for_messages_is_refused(
    client, hub, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client)

    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert mailoutbox == []


def test_the_contact_form_needs_its_csrf_token(contact_details, mailoutbox):
    client = Client(enforce_csrf_checks=True)

    response = _send(client)

    assert response.status_code == 403
    assert mailoutbox == []


def test_the_contact_form_sent_with_the_pages_csrf_token_is_accepted(
    contact_details, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client(enforce_csrf_checks=True)
    page = client.get(_page("contact").url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)

    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, csrfmiddlewaretoken=token.group(1))

    assert response.status_code == 302
    assert len(mailoutbox) == 1
