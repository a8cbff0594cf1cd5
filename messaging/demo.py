"""Demo conversations: a few days of talk in every demo community's general
channel, a channel Skovby IF shares with its contractor Grøn Plæne ApS (invited
and accepted), and direct messages between residents. Safe to run again: every
message has a fixed client id, so a second run finds the first run's messages."""

import logging
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership

from . import services
from .models import ChannelShare, Conversation, Message

logger = logging.getLogger(__name__)

VILLAGE_TALK = [
    "Godmorgen! Er der nogen, der har set en sort kat med hvid pote ved kirken?",
    "Ja, den sad hos os i carporten i går aftes. Jeg tror, den hører til i nr. 12.",
    "Husk fællesspisning i forsamlingshuset på torsdag kl. 18. Tilmelding på https://example.org/spisning",
    "Vi tager to gryder lasagne med 🙂",
    "Vejen ved gadekæret er glat i morges, kør forsigtigt.",
    "Tak for info! Kommunen har lovet at salte i eftermiddag.",
    "Nogen der kan låne mig en trailer på lørdag?",
    "Du kan låne min, den står i indkørslen, bare tag nøglen i postkassen.",
]
ASSOCIATION_TALK = [
    "Velkommen til alle nye medlemmer i denne sæson!",
    "Træningen på tirsdag er flyttet til kl. 17.30 pga. vedligehold af banen.",
    "Kan vi få flere frivillige til kiosken til hjemmekampen på søndag?",
    "Jeg tager første vagt fra 10 til 12.",
    "Referat fra bestyrelsesmødet ligger på hjemmesiden.",
]
CONTRACTOR_TALK = [
    ("club", "Hej Grøn Plæne, kan I slå opvisningsbanen inden kampen lørdag?"),
    ("contractor", "Det kan vi godt. Vi kommer fredag formiddag, hvis vejret holder."),
    (
        "club",
        "Perfekt. Husk at hegnet ved bane 2 står åbent, nøglen hænger i klubhuset.",
    ),
    ("contractor", "Noteret. Vi kridter også straffesparksfeltet op, når vi er der."),
    ("contractor", "Banen er slået og kridtet. God kamp i morgen!"),
    ("club", "Tusind tak, den ser flot ud 👍"),
]
DIRECT_TALK = [
    ("lars", "karen", "Hej Karen, har du stadig den stige, du nævnte i sidste uge?"),
    ("karen", "lars", "Ja, du må gerne låne den. Den står bag skuret."),
    ("lars", "karen", "Tak! Jeg henter den i aften og sætter den tilbage i weekenden."),
    ("mette", "jens", "Kommer du til borgermødet om den nye cykelsti?"),
    ("jens", "mette", "Det gør jeg. Skal vi køre sammen?"),
]


def _say(author: User, conversation: Conversation, body: str, key: str, ago: timedelta):
    message, created = services.message_send(
        author=author, conversation=conversation, body=body, client_id=key
    )
    if created:
        when = timezone.now() - ago
        Message.objects.filter(pk=message.pk).update(created_at=when)
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=when)
    return message


def _members(community: Community) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            community=community, state=Membership.State.ACTIVE
        )
        .select_related("user")
        .order_by("-role", "user__email")
    ]


def _general_talk(community: Community) -> None:
    people = _members(community)
    if not people:
        return
    channel = services.channel_ensure_general(community=community)
    lines = (
        VILLAGE_TALK if community.kind == Community.Kind.VILLAGE else ASSOCIATION_TALK
    )
    if community.kind == Community.Kind.CONTRACTOR:
        lines = ["Ugeplan: mandag Skovby IF, tirsdag Havrum, onsdag Lindå."]
    for n, body in enumerate(lines):
        ago = timedelta(days=4) - timedelta(hours=11 * n)
        _say(people[n % len(people)], channel, body, f"demo-{community.slug}-{n}", ago)


def _organisers(community: Community) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            community=community,
            state=Membership.State.ACTIVE,
            role=Membership.Role.ORGANISER,
        )
        .select_related("user")
        .order_by("user__email")
    ]


def _shared_channel(club: Community, contractor: Community) -> None:
    """The club invites its contractor into a channel and the contractor's
    organiser accepts, as they would in the app."""
    organisers = _organisers(club)
    answerers = _organisers(contractor)
    staff = _members(contractor)
    if not organisers or not answerers or not staff:
        return
    channel = Conversation.objects.filter(
        community=club, shares__community=contractor
    ).first() or services.channel_create(
        actor=organisers[0],
        community=club,
        title="Græsslåning og baner",
        topic="Aftaler med Grøn Plæne ApS om klubbens baner",
        shared_with=[contractor],
    )
    share = ChannelShare.objects.get(channel=channel, community=contractor)
    if share.state == ChannelShare.State.PENDING:
        services.channel_share_decide(actor=answerers[0], share=share, accept=True)
    for n, (side, body) in enumerate(CONTRACTOR_TALK):
        author = organisers[0] if side == "club" else staff[0]
        ago = timedelta(days=3) - timedelta(hours=9 * n)
        _say(author, channel, body, f"demo-shared-{n}", ago)


def _direct_talk(people: dict[str, User]) -> None:
    for n, (sender, receiver, body) in enumerate(DIRECT_TALK):
        if sender not in people or receiver not in people:
            continue
        conversation = services.direct_start(
            actor=people[sender], others=[people[receiver]]
        )
        ago = timedelta(days=1) - timedelta(hours=3 * n)
        _say(people[sender], conversation, body, f"demo-dm-{n}", ago)


def seed_messaging(context: dict) -> None:
    """The demo seeder: called by cms.demo with its communities and people."""
    communities: dict[str, Community] = context["communities"]
    for community in communities.values():
        _general_talk(community)
    if "skovby-if" in communities and "gron-plaene" in communities:
        _shared_channel(communities["skovby-if"], communities["gron-plaene"])
    _direct_talk(context["people"])
    logger.info("Demo conversations: %d messages", Message.objects.count())
