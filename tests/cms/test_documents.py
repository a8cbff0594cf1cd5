"""Documents of members-only portals are served to their members only."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction

from cms import services
from tests.factories import UserFactory, member_of, organiser_of

pytestmark = pytest.mark.django_db

SECRET = b"Referat: kassebeholdningen er 4.213 kr."


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _collection(portal) -> Collection:
    return Collection.objects.get(name=portal.title)


def _document(portal, name="referat.txt") -> Document:
    return Document.objects.create(
        title="Referat",
        file=ContentFile(SECRET, name=name),
        collection=_collection(portal),
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_visitor_is_sent_to_log_in_for_a_members_only_document(client, make_portal):
    document = _document(make_portal("klubben", visibility="members"))

    response = client.get(document.url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert SECRET not in response.content


def test_a_stranger_is_refused_a_members_only_document(client, make_portal):
    document = _document(make_portal("klubben", visibility="members"))
    client.force_login(UserFactory())

    response = client.get(document.url)

    assert response.status_code == 403
    assert SECRET not in response.content


def test_a_member_who_left_is_refused_a_members_only_document(client, make_portal):
    portal = make_portal("klubben", visibility="members")
    document = _document(portal)
    client.force_login(member_of(portal.community, state="left"))

    response = client.get(document.url)

    assert response.status_code == 403


def test_a_member_downloads_a_members_only_document(client, make_portal):
    portal = make_portal("klubben", visibility="members")
    document = _document(portal)
    client.force_login(member_of(portal.community))

    response = client.get(document.url)

    assert response.status_code == 200
    assert _body(response) == SECRET


def test_organisers_and_municipal_staff_download_a_members_only_document(
    client, make_portal, staff
):
    portal = make_portal("klubben", visibility="members")
    document = _document(portal)
    statuses = []

    for reader in (organiser_of(portal.community), staff):
        client.force_login(reader)
        statuses.append(client.get(document.url).status_code)

    assert statuses == [200, 200]


def test_a_document_in_a_sub_collection_of_a_members_only_portal_is_protected(
    client, make_portal
):
    portal = make_portal("klubben", visibility="members")
    inner = _collection(portal).add_child(name="Bestyrelsen")
    document = Document.objects.create(
        title="Budget", file=ContentFile(SECRET, name="budget.txt"), collection=inner
    )
    client.force_login(UserFactory())

    response = client.get(document.url)

    assert response.status_code == 403


def test_anyone_downloads_a_public_portals_document(client, make_portal):
    document = _document(make_portal("skovby"))

    response = client.get(document.url)

    assert response.status_code == 200
    assert _body(response) == SECRET


def test_a_members_only_portals_collection_carries_a_view_restriction(make_portal):
    members_only = make_portal("klubben", visibility="members")
    public = make_portal("skovby")

    assert _collection(members_only).get_view_restrictions().exists()
    assert not _collection(public).get_view_restrictions().exists()


def test_the_collection_restriction_follows_a_change_of_visibility(
    client, make_portal, staff
):
    portal = make_portal("klubben", visibility="members")
    document = _document(portal)

    services.portal_visibility_set(actor=staff, portal=portal, visibility="public")
    opened = client.get(document.url).status_code
    opened_restrictions = CollectionViewRestriction.objects.count()
    services.portal_visibility_set(actor=staff, portal=portal, visibility="members")
    closed = client.get(document.url).status_code

    assert opened == 200
    assert opened_restrictions == 0
    assert closed == 302
    assert _collection(portal).get_view_restrictions().count() == 1


def test_only_municipal_staff_change_a_portals_visibility(make_portal):
    portal = make_portal("klubben", visibility="members")
    organiser = organiser_of(portal.community)

    with pytest.raises(services.community_services.NotPermitted):
        services.portal_visibility_set(
            actor=organiser, portal=portal, visibility="public"
        )

    portal.community.refresh_from_db()
    assert portal.community.visibility == "members"
    assert _collection(portal).get_view_restrictions().exists()


def test_a_portal_editor_who_is_not_a_member_downloads_its_document(
    client, make_portal
):
    portal = make_portal("klubben", visibility="members")
    document = _document(portal)
    editor = UserFactory()
    editor.groups.add(portal.community.editors_group)
    client.force_login(editor)

    response = client.get(document.url)

    assert response.status_code == 200


def test_publishing_a_revision_from_before_the_collection_keeps_it(make_portal):
    portal = make_portal("klubben", visibility="members")
    collection = _collection(portal)
    portal.title = "Klubben i Skovby"
    revision = portal.save_revision()
    revision.content["documents_collection"] = None  # as saved before 0003
    revision.save()

    revision.publish()

    portal.refresh_from_db()
    assert portal.documents_collection == collection
