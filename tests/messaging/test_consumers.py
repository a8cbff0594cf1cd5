import json

import pytest
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from communities.models import Membership
from communities.services import membership_remove
from hub.asgi import application
from hub.routing import websocket_urlpatterns as routes
from messaging import services
from messaging.models import Message
from tests.factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    UserFactory,
)
from tests.helpers import next_of_type, socket_for

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def make_channel():
    village = CommunityFactory(name="Skovby", slug="skovby")
    organiser = MembershipFactory(
        community=village, role=Membership.Role.ORGANISER
    ).user
    karen = MembershipFactory(community=village, user__display_name="Karen").user
    lars = MembershipFactory(community=village, user__display_name="Lars").user
    outsider = UserFactory(display_name="Otto")
    general = services.channel_ensure_general(community=village)
    return {
        "village": village,
        "organiser": organiser,
        "karen": karen,
        "lars": lars,
        "outsider": outsider,
        "general": general,
    }


@database_sync_to_async
def post(author, conversation, body, client_id=None):
    message, _created = services.message_send(
        author=author,
        conversation=conversation,
        body=body,
        client_id=client_id or f"{author.pk}-{body}",
    )
    return message


@database_sync_to_async
def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


NEW_PASSWORD = "Skovby-har-en-ny-bager-2026"


@database_sync_to_async
def browser_of(user) -> Client:
    """A browser (a test client) signed in as ``user``: a session of its own."""
    client = Client()
    client.force_login(user)
    return client


async def open_socket(browser: Client) -> WebsocketCommunicator:
    """A socket through the whole stack, carrying ``browser``'s session cookie."""
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[(b"origin", b"http://testserver"), (b"cookie", cookie)],
    )
    connected, _protocol = await communicator.connect()
    assert connected
    return communicator


async def signed_in_socket(browser: Client) -> WebsocketCommunicator:
    communicator = await open_socket(browser)
    hello = await communicator.receive_json_from()
    assert hello["type"] == "subscriptions"
    return communicator


@database_sync_to_async
def reset_password_by_email(email: str, password: str) -> None:
    """Ask for a reset link, follow it and choose ``password``, as a visitor."""
    browser = Client()
    browser.post(reverse("account_reset_password"), {"email": email})
    link = next(
        word for word in mail.outbox[-1].body.split() if "/password/reset/key/" in word
    )
    form = browser.get(link.split("testserver", 1)[1], follow=True)
    browser.post(
        form.redirect_chain[-1][0],
        {"password1": password, "password2": password},
    )


async def test_socket_from_a_foreign_origin_is_refused():
    with override_settings(ALLOWED_HOSTS=["nabolag.example"]):
        # The validator reads ALLOWED_HOSTS when built, so build it here.
        app = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(routes)))
        communicator = WebsocketCommunicator(
            app, "/ws/", headers=[(b"origin", b"https://evil.example")]
        )

        connected, _code = await communicator.connect()

    assert not connected


async def test_anonymous_socket_is_closed_with_4401():
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"http://testserver")]
    )

    connected, _protocol = await communicator.connect()
    closing = await communicator.receive_output(timeout=3)

    assert connected
    assert closing == {"type": "websocket.close", "code": 4401}


async def test_signed_in_member_receives_new_messages_through_the_full_stack():
    world = await make_channel()
    cookie = await session_cookie(world["karen"])
    communicator = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[(b"origin", b"http://testserver"), (b"cookie", cookie)],
    )
    connected, _protocol = await communicator.connect()
    hello = await communicator.receive_json_from()

    message = await post(world["lars"], world["general"], "Hej Karen")

    event = await next_of_type(communicator, "message.new")
    assert connected
    assert world["general"].pk in hello["conversations"]
    assert event["message"]["id"] == message.pk
    assert event["message"]["author"]["name"] == "Lars"
    await communicator.disconnect()


async def test_non_member_gets_nothing_from_the_channel():
    world = await make_channel()
    outsider = await socket_for(world["outsider"])

    await post(world["lars"], world["general"], "Kun for naboer")

    assert await outsider.receive_nothing(timeout=0.5)
    await outsider.disconnect()


async def test_a_notices_only_socket_gets_notices_but_no_channel_traffic():
    world = await make_channel()
    notices = await socket_for(world["karen"], "/ws/?only=notices")
    direct = await database_sync_to_async(services.direct_start)(
        actor=world["lars"], others=[world["karen"]]
    )

    await post(world["lars"], world["general"], "Til alle i kanalen")
    await post(world["lars"], direct, "Kun til dig, Karen")

    frames = []
    while not await notices.receive_nothing(timeout=0.5):
        frames.append(await notices.receive_json_from())
    await notices.disconnect()

    assert "message.new" not in [f["type"] for f in frames]
    [notice] = [f for f in frames if f["type"] == "notification"]
    assert notice["kind"] == "direct"
    assert notice["conversation"] == direct.pk


async def test_a_deactivated_account_loses_its_notices_socket_too():
    world = await make_channel()
    notices = await socket_for(world["karen"], "/ws/?only=notices")
    user = world["karen"]

    user.is_active = False
    await database_sync_to_async(user.save)()

    closing = await notices.receive_output(timeout=3)
    assert closing == {"type": "websocket.close", "code": 4403}


async def test_removed_member_stops_receiving_at_once():
    world = await make_channel()
    karen = await socket_for(world["karen"])
    membership = await database_sync_to_async(Membership.objects.get)(
        user=world["karen"], community=world["village"]
    )

    await database_sync_to_async(membership_remove)(
        actor=world["organiser"], membership=membership
    )
    update = await next_of_type(karen, "subscriptions")
    await post(world["lars"], world["general"], "Efter fjernelsen")

    assert world["general"].pk not in update["conversations"]
    assert await karen.receive_nothing(timeout=0.5)
    await karen.disconnect()


async def test_removed_member_stops_while_a_neighbour_on_her_server_receives():
    world = await make_channel()
    karen = await socket_for(world["karen"])
    lars = await socket_for(world["lars"])
    membership = await database_sync_to_async(Membership.objects.get)(
        user=world["karen"], community=world["village"]
    )

    await database_sync_to_async(membership_remove)(
        actor=world["organiser"], membership=membership
    )
    await next_of_type(karen, "subscriptions")
    await post(world["organiser"], world["general"], "Kun til medlemmer")

    event = await next_of_type(lars, "message.new")
    assert event["message"]["body"] == "Kun til medlemmer"
    assert await karen.receive_nothing(timeout=0.5)
    await karen.disconnect()
    await lars.disconnect()


async def test_participant_removed_from_a_restricted_channel_stops_receiving():
    world = await make_channel()
    channel = await database_sync_to_async(services.channel_create)(
        actor=world["organiser"],
        community=world["village"],
        title="Bestyrelsen",
        is_restricted=True,
    )
    await database_sync_to_async(services.participant_add)(
        actor=world["organiser"], conversation=channel, user=world["karen"]
    )
    karen = await socket_for(world["karen"])

    await database_sync_to_async(services.participant_remove)(
        actor=world["organiser"], conversation=channel, user=world["karen"]
    )
    await next_of_type(karen, "subscriptions")
    await post(world["organiser"], channel, "Hemmeligt")

    assert await karen.receive_nothing(timeout=0.5)
    await karen.disconnect()


async def test_deactivated_account_is_disconnected():
    world = await make_channel()
    karen = await socket_for(world["karen"])
    user = world["karen"]

    user.is_active = False
    await database_sync_to_async(user.save)()
    closing = await karen.receive_output(timeout=3)

    assert closing == {"type": "websocket.close", "code": 4403}


async def test_logging_out_closes_that_browsers_sockets_and_no_others():
    world = await make_channel()
    phone = await browser_of(world["karen"])
    laptop = await browser_of(world["karen"])
    on_phone = await signed_in_socket(phone)
    on_laptop = await signed_in_socket(laptop)

    await database_sync_to_async(phone.post)(reverse("account_logout"))
    closing = await on_phone.receive_output(timeout=3)
    await post(world["lars"], world["general"], "Er du der stadig?")

    assert closing == {"type": "websocket.close", "code": 4401}
    event = await next_of_type(on_laptop, "message.new")
    assert event["message"]["body"] == "Er du der stadig?"
    await on_laptop.disconnect()


async def test_a_password_change_closes_all_sockets_and_only_its_browser_returns():
    world = await make_channel()
    phone = await browser_of(world["karen"])
    laptop = await browser_of(world["karen"])
    on_phone = await signed_in_socket(phone)
    on_laptop = await signed_in_socket(laptop)

    await database_sync_to_async(laptop.post)(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    closings = [await s.receive_output(timeout=3) for s in (on_phone, on_laptop)]
    laptop_again = await open_socket(laptop)
    phone_again = await open_socket(phone)

    assert closings == [{"type": "websocket.close", "code": 4001}] * 2
    assert (await laptop_again.receive_json_from())["type"] == "subscriptions"
    assert await phone_again.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4401,
    }
    await laptop_again.disconnect()


async def test_resetting_the_password_closes_every_socket_of_the_account():
    world = await make_channel()
    phone = await browser_of(world["karen"])
    on_phone = await signed_in_socket(phone)

    await reset_password_by_email(world["karen"].email, NEW_PASSWORD)
    closing = await on_phone.receive_output(timeout=3)
    phone_again = await open_socket(phone)

    assert closing == {"type": "websocket.close", "code": 4001}
    assert await phone_again.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4401,
    }


async def test_a_socket_whose_session_ended_unannounced_closes_at_the_next_check():
    world = await make_channel()
    phone = await browser_of(world["karen"])
    on_phone = await signed_in_socket(phone)
    # The session goes without an event (one lost while Redis was down).
    await database_sync_to_async(phone.session.delete)()

    await database_sync_to_async(MembershipFactory)(user=world["karen"])
    closing = await on_phone.receive_output(timeout=3)

    assert closing == {"type": "websocket.close", "code": 4001}


async def test_a_deleted_account_is_disconnected():
    world = await make_channel()
    karen = await socket_for(world["karen"])

    await database_sync_to_async(world["karen"].delete)()
    closing = await karen.receive_output(timeout=3)

    assert closing == {"type": "websocket.close", "code": 4403}


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "malformed"),
        ("[1, 2]", "malformed"),
        (json.dumps({"type": "send", "body": "sneaky"}), "unknown_type"),
        (json.dumps({"type": "typing", "pad": "x" * 2000}), "too_large"),
        (json.dumps({"type": "typing", "conversation": 999999}), "not_subscribed"),
    ],
)
async def test_bad_frames_get_an_error_and_change_nothing(frame, code):
    world = await make_channel()
    karen = await socket_for(world["karen"])
    lars = await socket_for(world["lars"])

    await karen.send_to(text_data=frame)
    error = await karen.receive_json_from()

    assert error["type"] == "error"
    assert error["code"] == code
    assert await database_sync_to_async(Message.objects.count)() == 0
    assert await lars.receive_nothing(timeout=0.3)
    await karen.disconnect()
    await lars.disconnect()


async def test_typing_reaches_the_others_in_the_channel_and_is_throttled():
    world = await make_channel()
    karen = await socket_for(world["karen"])
    lars = await socket_for(world["lars"])
    frame = {"type": "typing", "conversation": world["general"].pk}

    await karen.send_json_to(frame)
    await karen.send_json_to(frame)
    typing = await next_of_type(lars, "typing")

    assert typing["user"]["name"] == "Karen"
    assert await lars.receive_nothing(timeout=0.3)
    assert await database_sync_to_async(Message.objects.count)() == 0
    await karen.disconnect()
    await lars.disconnect()


async def test_flooding_the_socket_is_rate_limited(monkeypatch):
    monkeypatch.setattr("messaging.consumers.clock", lambda: 1000.0)
    world = await make_channel()
    karen = await socket_for(world["karen"])
    frame = {"type": "presence", "conversation": world["general"].pk}

    for _ in range(25):
        await karen.send_json_to(frame)
    codes = []
    while not await karen.receive_nothing(timeout=0.3):
        reply = await karen.receive_json_from()
        codes.append(reply.get("code"))

    assert "rate_limited" in codes
    await karen.disconnect()


async def test_removed_member_stops_receiving_a_restricted_channel_she_was_in():
    world = await make_channel()
    channel = await database_sync_to_async(services.channel_create)(
        actor=world["organiser"],
        community=world["village"],
        title="Bestyrelsen",
        is_restricted=True,
    )
    await database_sync_to_async(services.participant_add)(
        actor=world["organiser"], conversation=channel, user=world["karen"]
    )
    karen = await socket_for(world["karen"])
    membership = await database_sync_to_async(Membership.objects.get)(
        user=world["karen"], community=world["village"]
    )

    await database_sync_to_async(membership_remove)(
        actor=world["organiser"], membership=membership
    )
    update = await next_of_type(karen, "subscriptions")
    await post(world["organiser"], channel, "Kun for bestyrelsen")

    assert update["conversations"] == []
    assert await karen.receive_nothing(timeout=0.5)
    await karen.disconnect()
