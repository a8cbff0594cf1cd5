import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from wagtail.models import Collection, GroupPagePermission, Page, Revision, Site

from cms import services
from cms.models import HubHomePage, PortalIndexPage, PortalPage
from communities import services as community_services
from communities.models import Community, Invitation, Membership
from communities.selectors import is_municipal_staff
from tests.factories import CommunityFactory, UserFactory, organiser_of

pytestmark = pytest.mark.django_db


def _edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


# --- portal_create


def test_portal_create_makes_community_portal_page_and_editors_group(
    make_portal, villages
):
    portal = make_portal(
        "skovby",
        name="Skovby",
        description="Landsbyen ved skoven.",
        join_policy="approval",
        visibility="members",
        theme_colour="#1f6f43",
    )

    community = Community.objects.get(slug="skovby")
    assert portal.community == community
    assert portal.get_parent().specific == villages
    assert portal.live
    assert community.join_policy == "approval"
    assert community.visibility == "members"
    assert community.editors_group is not None
    assert "Landsbyen ved skoven." in portal.intro


def test_portal_create_gives_the_editors_group_page_permissions_on_the_portal(
    make_portal,
):
    portal = make_portal("skovby")

    group = portal.community.editors_group
    permissions = GroupPagePermission.objects.filter(group=group)
    assert {p.page_id for p in permissions} == {portal.pk}
    assert {p.permission.codename for p in permissions} == {
        "add_page",
        "change_page",
        "publish_page",
    }
    assert group.permissions.filter(codename="access_admin").exists()


def test_portal_create_invites_the_first_organiser(
    make_portal, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        portal = make_portal("skovby", organiser_email="Karen@Example.org")

    invitation = Invitation.objects.get(community=portal.community)
    assert invitation.email == "karen@example.org"
    assert invitation.role == Membership.Role.ORGANISER
    assert [m.to for m in mailoutbox] == [["karen@example.org"]]


def test_the_invited_first_organiser_becomes_an_editor_of_the_portal(make_portal):
    portal = make_portal("skovby", organiser_email="karen@example.org")
    karen = UserFactory(email="karen@example.org")
    invitation = Invitation.objects.get(community=portal.community)

    community_services.invitation_accept(user=karen, token=invitation.token)

    assert karen.groups.filter(pk=portal.community.editors_group_id).exists()


def test_portal_create_with_a_host_name_makes_a_site(make_portal):
    portal = make_portal("skovby", hostname="skovby.example.dk", port=443)

    site = Site.objects.get(hostname="skovby.example.dk")
    assert site.root_page_id == portal.pk
    assert site.port == 443
    assert not site.is_default_site


def test_portal_create_without_a_host_name_makes_no_site(make_portal):
    sites_before = Site.objects.count()

    make_portal("skovby")

    assert Site.objects.count() == sites_before


def test_only_municipal_staff_create_portals(villages):
    organiser = organiser_of(CommunityFactory())

    with pytest.raises(community_services.NotPermitted):
        services.portal_create(
            actor=organiser,
            parent=villages,
            name="Skovby",
            slug="skovby",
            kind="village",
        )

    assert not Community.objects.filter(slug="skovby").exists()
    assert not PortalPage.objects.exists()


def test_a_duplicate_slug_is_refused_with_a_clear_error(make_portal):
    make_portal("skovby")

    with pytest.raises(services.PortalError) as error:
        make_portal("skovby", name="Skovby igen")

    with translation.override("en"):
        assert "address already exists" in str(error.value.message)
    assert PortalPage.objects.count() == 1


def test_a_duplicate_host_name_is_refused_with_a_clear_error(make_portal):
    make_portal("skovby", hostname="skovby.example.dk")

    with pytest.raises(services.PortalError) as error:
        make_portal("havrum", hostname="skovby.example.dk")

    with translation.override("en"):
        assert "host name is already in use" in str(error.value.message)
    assert not Community.objects.filter(slug="havrum").exists()


def test_a_failure_midway_leaves_nothing_behind(make_portal, monkeypatch):
    groups_before = Group.objects.count()
    page_permissions_before = GroupPagePermission.objects.count()
    collections_before = Collection.objects.count()
    sites_before = Site.objects.count()

    def refuse(**kwargs):
        raise community_services.MembershipError("the mail server said no")

    monkeypatch.setattr(community_services, "invitation_create", refuse)

    with pytest.raises(community_services.MembershipError):
        make_portal(
            "skovby", hostname="skovby.example.dk", organiser_email="k@example.org"
        )

    assert not Community.objects.filter(slug="skovby").exists()
    assert not PortalPage.objects.exists()
    assert not Page.objects.filter(slug="skovby").exists()
    assert Group.objects.count() == groups_before
    assert Collection.objects.count() == collections_before
    assert Site.objects.count() == sites_before
    assert GroupPagePermission.objects.count() == page_permissions_before


def test_a_new_portal_is_live_with_no_draft_beside_it(make_portal):
    portal = make_portal("skovby")

    portal.refresh_from_db()
    revisions = list(portal.revisions.all())
    assert portal.live
    assert not portal.has_unpublished_changes
    assert revisions == [portal.live_revision]
    assert portal.latest_revision == portal.live_revision


def test_portal_index_for_kind_finds_the_section(villages, associations):
    assert services.portal_index_for_kind("village") == villages
    assert services.portal_index_for_kind("association") == associations


# --- hub_ensure


def test_hub_ensure_replaces_the_welcome_page_with_the_hub(db):
    hub = services.hub_ensure(title="Egekær", hostname="testserver")

    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == hub.pk
    assert set(
        PortalIndexPage.objects.child_of(hub).values_list("slug", flat=True)
    ) == {"villages", "associations"}
    assert not Page.objects.filter(depth=2).exclude(pk=hub.pk).exists()


def test_members_of_the_municipal_staff_group_are_municipal_staff(hub):
    person = UserFactory()

    person.groups.add(Group.objects.get(name=services.MUNICIPAL_STAFF_GROUP))

    assert is_municipal_staff(type(person).objects.get(pk=person.pk))


def test_hub_ensure_twice_changes_nothing(db):
    first = services.hub_ensure(title="Egekær", hostname="testserver")
    pages_before = Page.objects.count()
    permissions_before = GroupPagePermission.objects.count()

    second = services.hub_ensure(title="Egekær", hostname="testserver")

    assert second == first
    assert HubHomePage.objects.count() == 1
    assert Page.objects.count() == pages_before
    assert Site.objects.filter(is_default_site=True).count() == 1
    assert Group.objects.filter(name=services.MUNICIPAL_STAFF_GROUP).count() == 1
    assert GroupPagePermission.objects.count() == permissions_before


# --- who edits which pages in the Wagtail admin


def test_an_organiser_edits_their_own_portal_in_the_admin(client, make_portal):
    portal = make_portal("skovby")
    client.force_login(organiser_of(portal.community))

    response = client.get(_edit_url(portal))

    assert response.status_code == 200


def test_an_organiser_cannot_edit_another_portal_in_the_admin(client, make_portal):
    mine = make_portal("skovby")
    theirs = make_portal("havrum")
    client.force_login(organiser_of(mine.community))

    response = client.get(_edit_url(theirs))

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] != _edit_url(theirs)


def test_an_organiser_edits_pages_below_their_portal(client, make_portal):
    from cms.models import InformationPage

    portal = make_portal("skovby")
    child = portal.add_child(instance=InformationPage(title="Forsamlingshuset"))
    client.force_login(organiser_of(portal.community))

    response = client.get(_edit_url(child))

    assert response.status_code == 200


def test_a_demoted_organiser_can_no_longer_edit_the_portal(client, make_portal, staff):
    portal = make_portal("skovby")
    organiser_of(portal.community)
    demoted = organiser_of(portal.community)
    community_services.membership_change_role(
        actor=staff,
        membership=Membership.objects.get(user=demoted, community=portal.community),
        role=Membership.Role.MEMBER,
    )
    client.force_login(demoted)

    response = client.get(_edit_url(portal))

    assert response.status_code in (302, 403)


def test_an_ordinary_member_cannot_enter_the_admin(client, make_portal):
    portal = make_portal("skovby")
    member = UserFactory()
    community_services.membership_join(user=member, community=portal.community)
    client.force_login(member)

    response = client.get(_edit_url(portal))

    assert response.status_code in (302, 403)


def test_municipal_staff_edit_every_portal(client, make_portal):
    skovby = make_portal("skovby")
    havrum = make_portal("havrum")
    municipal = UserFactory(is_staff=True)
    municipal.groups.add(services.municipal_staff_group_ensure())
    client.force_login(municipal)

    responses = [client.get(_edit_url(page)) for page in (skovby, havrum)]

    assert [r.status_code for r in responses] == [200, 200]


# --- the admin "New portal" view


def _form(villages, **overrides) -> dict:
    data = {
        "name": "Skovby",
        "slug": "skovby",
        "kind": "village",
        "parent": villages.pk,
        "description": "",
        "join_policy": "open",
        "visibility": "public",
        "latitude": "56.17",
        "longitude": "9.55",
        "radius_km": "3",
        "theme_colour": "#1f6f43",
        "hostname": "",
        "port": "80",
        "organiser_email": "",
    }
    data.update(overrides)
    return data


def test_staff_open_the_new_portal_form(client, staff, hub):
    client.force_login(staff)

    response = client.get(reverse("cms_portal_create"))

    assert response.status_code == 200


def test_staff_create_a_portal_in_the_admin(client, staff, villages):
    client.force_login(staff)

    response = client.post(reverse("cms_portal_create"), _form(villages))

    portal = PortalPage.objects.get(slug="skovby")
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=[portal.pk])


def test_the_new_portal_form_keeps_input_on_a_duplicate(client, staff, villages):
    client.force_login(staff)
    client.post(reverse("cms_portal_create"), _form(villages))

    response = client.post(
        reverse("cms_portal_create"), _form(villages, name="Skovby Nord")
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="Skovby Nord"' in response.text
    assert PortalPage.objects.count() == 1


def test_the_new_portal_form_refuses_an_unreadable_theme_colour(
    client, staff, villages
):
    client.force_login(staff)

    response = client.post(
        reverse("cms_portal_create"), _form(villages, theme_colour="#ffff00")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["theme_colour"]
    assert not PortalPage.objects.exists()


def test_an_organiser_with_admin_access_cannot_create_portals(client, make_portal):
    portal = make_portal("skovby")
    client.force_login(organiser_of(portal.community))

    response = client.post(
        reverse("cms_portal_create"), _form(portal.get_parent(), slug="havrum")
    )

    assert response.status_code in (302, 403)
    assert not Community.objects.filter(slug="havrum").exists()


def test_a_visitor_is_sent_to_log_in_from_the_new_portal_view(client, hub):
    response = client.get(reverse("cms_portal_create"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def _nothing_of(slug: str, before: dict) -> None:
    assert not Community.objects.filter(slug=slug).exists()
    assert not Page.objects.filter(slug=slug).exists()
    assert _counts() == before


def _counts() -> dict:
    return {
        "groups": Group.objects.count(),
        "collections": Collection.objects.count(),
        "sites": Site.objects.count(),
        "revisions": Revision.objects.count(),
        "page_permissions": GroupPagePermission.objects.count(),
    }


def test_a_failed_publish_in_the_new_portal_form_leaves_nothing_behind(
    client, staff, villages, monkeypatch
):
    def refuse(self, *args, **kwargs):
        raise ValidationError({"slug": "Wagtail would not publish this page."})

    monkeypatch.setattr(PortalPage, "publish", refuse)
    client.force_login(staff)
    before = _counts()

    response = client.post(
        reverse("cms_portal_create"), _form(villages, hostname="skovby.example.dk")
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'value="Skovby"' in response.text
    _nothing_of("skovby", before)


def test_wagtails_own_add_page_for_a_portal_leads_to_the_new_portal_form(
    client, villages
):
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(services.municipal_staff_group_ensure())
    client.force_login(moderator)
    add_url = reverse("wagtailadmin_pages:add", args=["cms", "portalpage", villages.pk])
    before = _counts()

    shown = client.get(add_url)
    posted = client.post(add_url, {"title": "Skovby", "slug": "skovby"})

    expected = f"{reverse('cms_portal_create')}?parent={villages.pk}"
    assert shown.status_code == posted.status_code == 302
    assert shown["Location"] == posted["Location"] == expected
    _nothing_of("skovby", before)


def test_the_new_portal_form_starts_in_the_section_it_was_opened_from(
    client, staff, associations
):
    client.force_login(staff)

    response = client.get(
        reverse("cms_portal_create"), {"parent": str(associations.pk)}
    )

    assert response.context["form"]["parent"].value() == str(associations.pk)
