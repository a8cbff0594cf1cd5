"""factory_boy factories shared by every test module."""

from datetime import UTC, datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership

TEST_PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    # Established by default (moderation.trust), also in tests that set the
    # clock back: a test of a new account says so.
    date_joined = datetime(2020, 1, 1, tzinfo=UTC)
    display_name = factory.Faker("name", locale="da_DK")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            from allauth.account.models import EmailAddress

            obj.save()
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Landsby {n}")
    slug = factory.Sequence(lambda n: f"landsby-{n}")
    kind = Community.Kind.VILLAGE
    latitude = 56.17
    longitude = 9.55
    editors_group = factory.LazyAttribute(
        lambda o: Group.objects.create(name=f"Portal editors: {o.slug}")
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    state = Membership.State.ACTIVE
    created_at = factory.LazyFunction(timezone.now)


def organiser_of(community: Community) -> User:
    membership = MembershipFactory(community=community, role=Membership.Role.ORGANISER)
    if community.editors_group:
        membership.user.groups.add(community.editors_group)
    return membership.user


def member_of(community: Community, **kwargs) -> User:
    return MembershipFactory(community=community, **kwargs).user
