"""Live topics (messaging.topics): apps above messaging name what a user may
hear, and the socket subscribes, re-checks and leaves those topics as it does
conversations. A topic a provider does not give must never reach the socket."""

import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from messaging import events, topics
from messaging.consumers import LiveConsumer
from tests.factories import UserFactory
from tests.helpers import next_of_type, socket_for

BOARD = {"type": "task", "step": 7, "task": 3}


@pytest.fixture
def providers():
    """An empty registry for the test (other apps' providers set aside), put
    back as it was afterwards. Returns ``register``."""
    saved = list(topics._providers)
    topics._providers.clear()
    yield topics.register
    topics._providers[:] = saved


# --- names and the registry ---------------------------------------------------


@pytest.mark.parametrize("topic", ["board.12", "board.client.12", "a.b_c.9"])
def test_a_well_formed_topic_has_its_own_group(topic):
    assert topics.is_valid(topic)
    assert topics.topic_group(topic) == f"topic.{topic}"


@pytest.mark.parametrize(
    "topic",
    [
        "board",  # one part
        "Board.12",  # upper case
        "board.my-village",  # a hyphen (a slug)
        "board..12",
        "board.12.",
        "12.board",
        "board.12\n",  # a regex's $ would let this through
        "board.næstved",
        "board." + "x" * 100,  # too long for a group name
        "",
        12,
        None,
    ],
)
def test_a_bad_topic_name_is_refused(topic):
    assert not topics.is_valid(topic)
    with pytest.raises(ValueError, match="Not a live topic name"):
        topics.topic_group(topic)


def test_the_longest_topic_still_makes_a_group_name_the_layer_accepts():
    from channels.layers import InMemoryChannelLayer

    topic = "b." + "x" * (topics.MAX_TOPIC_CHARS - 2)

    assert topics.is_valid(topic)
    assert not topics.is_valid(topic + "x")
    assert InMemoryChannelLayer().require_valid_group_name(topics.topic_group(topic))


def test_topics_for_unions_every_provider(providers):
    user = object()
    providers(lambda u: ["board.1", "board.2"])
    providers(lambda u: {"board.2", "survey.9"})

    assert topics.topics_for(user) == {"board.1", "board.2", "survey.9"}


def test_a_provider_is_asked_about_the_user_in_question(providers):
    seen = []

    def provider(user):
        seen.append(user)
        return [f"board.{user}"]

    providers(provider)

    assert topics.topics_for(41) == {"board.41"}
    assert seen == [41]


def test_registering_a_provider_twice_asks_it_once(providers):
    calls = []

    def provider(user):
        calls.append(user)
        return ["board.1"]

    providers(provider)
    providers(provider)
    topics.topics_for("karen")

    assert calls == ["karen"]


def test_an_unregistered_provider_gives_nothing(providers):
    def provider(user):
        return ["board.1"]

    providers(provider)
    topics.unregister(provider)
    topics.unregister(provider)  # unknown now: ignored

    assert topics.topics_for("karen") == set()


def test_bad_names_are_dropped_and_logged_and_the_good_ones_kept(providers, caplog):
    providers(lambda u: ["board.1", "Board.2", "board.my-village", None])

    with caplog.at_level(logging.ERROR, logger="messaging.topics"):
        given = topics.topics_for("karen")

    assert given == {"board.1"}
    assert "'board.my-village'" in caplog.text
    assert "'Board.2'" in caplog.text


def test_a_failing_provider_gives_nothing_and_the_others_still_count(providers, caplog):
    def broken(user):
        raise RuntimeError("the board's database is away")

    providers(lambda u: ["board.1"])
    providers(broken)
    providers(lambda u: ["survey.2"])

    with caplog.at_level(logging.ERROR, logger="messaging.topics"):
        given = topics.topics_for("karen")

    assert given == {"board.1", "survey.2"}
    assert "the board's database is away" in caplog.text


def test_a_provider_returning_one_name_instead_of_names_gives_nothing(
    providers, caplog
):
    # Iterated, "board.1" would be seven one-letter names, all bad.
    providers(lambda u: "board.1")
    providers(lambda u: ["survey.2"])

    with caplog.at_level(logging.ERROR, logger="messaging.topics"):
        given = topics.topics_for("karen")

    assert given == {"survey.2"}
    assert "must return names" in caplog.text


# --- sending ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_topic_event_leaves_after_commit_naming_its_topic(
    layer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        events.topic_send("board.12", BOARD)
        assert layer.sent == []  # not before the commit

    for callback in callbacks:
        callback()

    assert layer.sent == [("topic.board.12", {**BOARD, "topic": "board.12"})]


@pytest.mark.django_db
def test_a_topic_event_that_cannot_be_sent_is_logged_and_raises_nothing(
    broken_layer, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        events.topic_send("board.12", BOARD)

    assert callbacks  # the send was attempted, and failed
    assert "live event to topic.board.12" in caplog.text


@pytest.mark.django_db
def test_a_topic_event_with_a_bad_name_is_logged_and_not_sent(
    layer, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        events.topic_send("board.my-village", BOARD)

    assert callbacks == []
    assert layer.sent == []
    assert "'board.my-village'" in caplog.text


# --- the socket ---------------------------------------------------------------


@database_sync_to_async
def make_user(name: str):
    return UserFactory(display_name=name)


@database_sync_to_async
def topic_send(topic: str, payload: dict) -> None:
    # Outside a transaction the event leaves at once, as after a commit.
    events.topic_send(topic, payload)


@database_sync_to_async
def subscriptions_changed(*users) -> None:
    events.subscriptions_changed([user.pk for user in users])


async def connect(user, path: str = "/ws/") -> tuple[WebsocketCommunicator, dict]:
    """A socket of ``user`` and its first subscriptions frame."""
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), path)
    communicator.scope["user"] = user
    connected, _protocol = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["type"] == "subscriptions"
    return communicator, hello


@pytest.fixture
def boards(providers):
    """Which boards each user (by id) may hear; change it, then send
    ``subscriptions_changed`` for the socket to re-check."""
    given: dict[int, set[str]] = {}
    providers(lambda user: given.get(user.pk, set()))
    return given


@pytest.mark.django_db(transaction=True)
async def test_the_subscriptions_frame_lists_the_topics_sorted(boards):
    karen = await make_user("Karen")
    boards[karen.pk] = {"board.9", "board.10", "board.client.2"}

    socket, hello = await connect(karen)

    assert hello["topics"] == ["board.10", "board.9", "board.client.2"]
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_hears_its_topic_and_not_anothers(boards):
    karen = await make_user("Karen")
    boards[karen.pk] = {"board.1"}
    socket = await socket_for(karen)

    await topic_send("board.2", {"type": "task", "step": 1})
    await topic_send("board.1", {"type": "task", "step": 2})

    frame = await socket.receive_json_from(timeout=3)
    assert frame == {"type": "task", "step": 2, "topic": "board.1"}
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_topic_reaches_only_the_users_given_it_on_one_process(boards):
    karen = await make_user("Karen")
    lars = await make_user("Lars")
    boards[karen.pk] = {"board.1"}
    boards[lars.pk] = {"board.2"}
    karens = await socket_for(karen)
    lars_tab = await socket_for(lars)
    karens_other_tab = await socket_for(karen)

    await topic_send("board.1", BOARD)

    assert (await karens.receive_json_from(timeout=3))["topic"] == "board.1"
    assert (await karens_other_tab.receive_json_from(timeout=3))["step"] == 7
    assert await lars_tab.receive_nothing(timeout=0.5)
    for socket in (karens, lars_tab, karens_other_tab):
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_stops_hearing_a_topic_once_it_is_no_longer_given(boards):
    karen = await make_user("Karen")
    boards[karen.pk] = {"board.1", "board.2"}
    socket = await socket_for(karen)

    boards[karen.pk] = {"board.2"}
    await subscriptions_changed(karen)
    update = await next_of_type(socket, "subscriptions")
    await topic_send("board.1", {"type": "task", "step": 1})
    await topic_send("board.2", {"type": "task", "step": 2})

    assert update["topics"] == ["board.2"]
    assert (await socket.receive_json_from(timeout=3))["step"] == 2
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_starts_hearing_a_topic_given_after_it_connected(boards):
    karen = await make_user("Karen")
    socket, hello = await connect(karen)

    boards[karen.pk] = {"board.3"}
    await subscriptions_changed(karen)
    update = await next_of_type(socket, "subscriptions")
    await topic_send("board.3", BOARD)

    assert hello["topics"] == []
    assert update["topics"] == ["board.3"]
    assert (await socket.receive_json_from(timeout=3))["topic"] == "board.3"
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_user_who_loses_a_topic_leaves_it_while_a_neighbour_keeps_it(boards):
    karen = await make_user("Karen")
    lars = await make_user("Lars")
    boards[karen.pk] = boards[lars.pk] = {"board.1"}
    karens = await socket_for(karen)
    lars_tab = await socket_for(lars)

    boards[karen.pk] = set()
    await subscriptions_changed(karen)
    await next_of_type(karens, "subscriptions")
    await topic_send("board.1", BOARD)

    assert (await lars_tab.receive_json_from(timeout=3))["topic"] == "board.1"
    assert await karens.receive_nothing(timeout=0.5)
    await karens.disconnect()
    await lars_tab.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_notices_only_socket_hears_no_topics(boards):
    karen = await make_user("Karen")
    boards[karen.pk] = {"board.1"}

    socket, hello = await connect(karen, "/ws/?only=notices")
    await topic_send("board.1", BOARD)

    assert hello["topics"] == []
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_failing_provider_costs_the_socket_nothing_else(providers, caplog):
    karen = await make_user("Karen")

    def broken(user):
        raise RuntimeError("the board's database is away")

    providers(broken)
    providers(lambda user: ["board.1"])

    socket, hello = await connect(karen)
    await topic_send("board.1", BOARD)

    assert hello["topics"] == ["board.1"]
    assert (await socket.receive_json_from(timeout=3))["topic"] == "board.1"
    assert "the board's database is away" in caplog.text
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_closed_socket_leaves_its_topics(boards):
    from channels.layers import get_channel_layer

    from messaging.fanout import fanout_for

    karen = await make_user("Karen")
    boards[karen.pk] = {"board.1"}
    socket = await socket_for(karen)
    fanout = fanout_for(get_channel_layer())
    assert "topic.board.1" in fanout.members

    await socket.disconnect()

    assert "topic.board.1" not in fanout.members
