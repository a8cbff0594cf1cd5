import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cms.models import PlatformPage
from tests.factories import TEST_PASSWORD, CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Skovby-har-en-ny-bager-2026"


def _sign_up(client, email="ny@example.org", **extra):
    """Sign up through the form; a field given as None is left out."""
    data = {
        "display_name": "Ny Nabo",
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "privacy_accepted": "on",
        **extra,
    }
    return client.post(
        reverse("account_signup"), {k: v for k, v in data.items() if v is not None}
    )


def _log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def _html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.text).group(1)


# --- sign-up and e-mail verification


def test_sign_up_sends_a_verification_email(client, mailoutbox):
    response = _sign_up(client)

    assert response.status_code == 302
    user = User.objects.get(email="ny@example.org")
    assert user.display_name == "Ny Nabo"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ny@example.org"]
    assert any(
        "/accounts/confirm-email/" in link for link in _links(mailoutbox[0].body)
    )


def test_an_unverified_user_cannot_log_in(client, mailoutbox):
    _sign_up(client)
    client.logout()

    response = _log_in(client, "ny@example.org", NEW_PASSWORD)

    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")


def test_following_the_verification_link_verifies_and_logs_in(client, mailoutbox):
    _sign_up(client)
    link = next(
        link for link in _links(mailoutbox[0].body) if "/confirm-email/" in link
    )
    path = link.split("testserver", 1)[1]

    page = client.get(path)
    response = client.post(path)

    assert page.status_code == 200
    assert response.status_code == 302
    user = User.objects.get(email="ny@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_verified_new_user_logs_in_from_another_browser(client, mailoutbox):
    _sign_up(client)
    link = next(
        link for link in _links(mailoutbox[0].body) if "/confirm-email/" in link
    )
    client.post(link.split("testserver", 1)[1])
    client.logout()

    _log_in(client, "ny@example.org", NEW_PASSWORD)

    assert "_auth_user_id" in client.session


def test_sign_up_with_a_taken_address_makes_no_account_and_tells_the_owner(
    client, mailoutbox
):
    UserFactory(email="karen@example.org")

    _sign_up(client, email="karen@example.org")

    # allauth does not reveal that the address is taken: the owner is e-mailed.
    assert User.objects.filter(email="karen@example.org").count() == 1
    assert [m.to for m in mailoutbox] == [["karen@example.org"]]
    assert "_auth_user_id" not in client.session


def test_sign_up_needs_a_display_name(client):
    response = _sign_up(client, display_name="")

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    assert not User.objects.filter(email="ny@example.org").exists()


# --- the privacy notice


def test_sign_up_links_to_the_privacy_notice(client):
    response = client.get(reverse("account_signup"))

    privacy_url = reverse("cms:platform_page", args=["privacy"])
    assert f'<a href="{privacy_url}">' in response.text
    assert 'name="privacy_accepted"' in response.text


def test_sign_up_without_accepting_the_privacy_notice_is_refused_and_keeps_the_text(
    client, mailoutbox
):
    response = _sign_up(client, display_name="Karen fra Ærø", privacy_accepted=None)

    assert response.status_code == 200
    [error] = response.context["form"].errors["privacy_accepted"]
    assert "privatlivserklæringen" in error
    assert 'value="Karen fra Ærø"' in response.text
    assert 'value="ny@example.org"' in response.text
    assert not User.objects.filter(email="ny@example.org").exists()
    assert mailoutbox == []


def test_sign_up_records_when_and_which_privacy_notice_was_accepted(client, hub):
    notice = PlatformPage.objects.get(role="privacy")
    before = timezone.now()

    _sign_up(client)

    user = User.objects.get(email="ny@example.org")
    assert before <= user.privacy_accepted_at <= timezone.now()
    assert user.privacy_notice_version == notice.live_revision_id


def test_sign_up_records_the_version_live_when_the_person_accepted(client, hub):
    notice = PlatformPage.objects.get(role="privacy")
    notice.intro = "Ny version"
    new_revision = notice.save_revision()
    new_revision.publish()

    _sign_up(client)

    user = User.objects.get(email="ny@example.org")
    assert user.privacy_notice_version == new_revision.pk


def test_people_who_signed_up_before_the_notice_can_still_log_in(client):
    earlier = UserFactory(privacy_accepted_at=None)

    response = _log_in(client, earlier.email, TEST_PASSWORD)
    profile = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == earlier.pk
    assert profile.status_code == 200


# --- display names

# Bidirectional overrides and isolates turn the text after them around; zero-width
# and other invisible characters make one name pass for another.
INVISIBLE = {
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "byte order mark": "\ufeff",
    "bell": "\u0007",
    "tab": "\t",
    "line separator": "\u2028",
}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_sign_up_refuses_a_display_name_with_invisible_characters(client, char):
    name = f"Karen{char}nesreK"

    response = _sign_up(client, display_name=name)

    assert response.status_code == 200
    [error] = response.context["form"].errors["display_name"]
    assert "U+" in error
    assert response.context["form"]["display_name"].value() == name
    assert not User.objects.filter(email="ny@example.org").exists()


def test_the_profile_refuses_a_display_name_with_an_override_and_keeps_the_text(
    client,
):
    user = UserFactory(display_name="Karen")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Karen\u202egnirts", "preferred_language": "", "bio": "Hej"},
    )

    assert response.status_code == 200
    assert "U+202E" in response.context["form"].errors["display_name"][0]
    assert "Karen\u202egnirts" in response.text
    user.refresh_from_db()
    assert user.display_name == "Karen"


@pytest.mark.parametrize(
    "form_name", ["WagtailUserCreationForm", "WagtailUserEditForm"]
)
def test_the_admins_user_forms_refuse_a_display_name_with_an_override(form_name):
    from accounts import forms

    user = UserFactory() if form_name == "WagtailUserEditForm" else None
    form_class = getattr(forms, form_name)
    kwargs = {"instance": user} if user else {}

    form = form_class(
        data={"display_name": "Karen\u2066x", "email": "k@example.org"}, **kwargs
    )

    assert not form.is_valid()
    assert "U+2066" in form.errors["display_name"][0]


def test_every_path_to_a_display_name_is_checked_by_the_model():
    user = UserFactory.build(display_name="Karen\u200bJensen")

    with pytest.raises(ValidationError) as refused:
        user.full_clean()

    assert "display_name" in refused.value.message_dict


@pytest.mark.parametrize(
    "name",
    [
        "Karen fra Ærø",
        "Ólafur Þór",
        "محمد علي",
        "李小龙",
        "Bente 🌻",
        "Anne-Marie O'Neil",
        "Bente \U0001f469\u200d\U0001f33e",  # woman farmer: an emoji joined by a ZWJ
        "\u0646\u0631\u06af\u0633\u200c\u0647\u0627",  # Persian, with a ZWNJ
    ],
)
def test_display_names_in_any_script_and_with_emoji_are_accepted(client, name):
    response = _sign_up(client, display_name=name)

    assert response.status_code == 302
    assert User.objects.get(email="ny@example.org").display_name == name


# --- log-in


def test_a_verified_user_logs_in_with_email_and_password(client):
    user = UserFactory()

    response = _log_in(client, user.email, TEST_PASSWORD)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_wrong_password_is_refused(client):
    user = UserFactory()

    response = _log_in(client, user.email, "wrong-password")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_are_refused_even_with_the_right_password(client):
    user = UserFactory()
    for _attempt in range(5):
        _log_in(client, user.email, "wrong-password")

    response = _log_in(client, user.email, TEST_PASSWORD)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_the_login_limit_counts_failures_for_the_address_from_any_ip(client):
    user = UserFactory()
    for attempt in range(5):
        client.post(
            reverse("account_login"),
            {"login": user.email, "password": "wrong-password"},
            REMOTE_ADDR=f"10.0.0.{attempt + 1}",
        )

    client.post(
        reverse("account_login"),
        {"login": user.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.99",
    )

    assert "_auth_user_id" not in client.session


def test_logging_out_works_while_the_live_layer_is_down(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    def broken_layer():
        raise ConnectionError("Redis is down")

    monkeypatch.setattr("messaging.events.get_channel_layer", broken_layer)
    client.force_login(UserFactory())

    with django_capture_on_commit_callbacks(execute=True) as sent:
        response = client.post(reverse("account_logout"))

    assert len(sent) == 1  # the sockets' close was attempted, and failed
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- profile


def test_the_profile_needs_a_login(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_edit_saves_name_home_village_and_text(client):
    user = UserFactory()
    village = CommunityFactory(name="Havrum")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "Karen fra Havrum",
            "preferred_language": "",
            "home_community": village.pk,
            "bio": "Jeg passer gerne hunde.",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Karen fra Havrum"
    assert user.home_community == village
    assert user.bio == "Jeg passer gerne hunde."


def test_preferred_language_sets_the_cookie_and_the_next_page_language(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {"display_name": user.display_name, "preferred_language": "nb", "bio": ""},
    )
    page = client.get(reverse("accounts:profile"))

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    assert _html_lang(page) == "nb"


def test_preferred_language_follows_the_user_to_a_new_session(client):
    user = UserFactory(preferred_language="nl")
    client.force_login(user)

    page = client.get(reverse("communities:mine"))

    assert _html_lang(page) == "nl"


def test_a_profile_without_a_name_is_refused_and_keeps_the_text(client):
    user = UserFactory(display_name="Karen")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "", "preferred_language": "", "bio": "Min tekst"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    assert "Min tekst" in response.text
    user.refresh_from_db()
    assert user.display_name == "Karen"


def test_only_villages_can_be_a_home_village(client):
    user = UserFactory()
    club = CommunityFactory(kind="association")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Karen", "home_community": club.pk, "bio": ""},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["home_community"]


def test_the_profile_form_offers_the_villages_by_name_and_nothing_else(client):
    user = UserFactory()
    CommunityFactory(kind="village", name="Østerby")
    CommunityFactory(kind="village", name="Aldby")
    CommunityFactory(kind="association", name="Bådelauget")
    client.force_login(user)

    response = client.get(reverse("accounts:profile"))

    field = response.context["form"].fields["home_community"]
    assert [community.name for community in field.queryset] == ["Aldby", "Østerby"]


# --- password reset


def test_password_reset_sends_an_email_with_a_reset_link(client, mailoutbox):
    user = UserFactory(email="karen@example.org")

    response = client.post(
        reverse("account_reset_password"), {"email": "karen@example.org"}
    )

    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert any(
        "/accounts/password/reset/key/" in link for link in _links(mailoutbox[0].body)
    )


def test_the_login_page_and_the_signup_page_render(client):
    login = client.get(reverse("account_login"))
    signup = client.get(reverse("account_signup"))

    assert login.status_code == 200
    assert signup.status_code == 200
    assert 'name="display_name"' in signup.text
