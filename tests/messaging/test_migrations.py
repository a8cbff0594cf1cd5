import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("messaging", "0002_channelshare")]
AFTER = [("messaging", "0004_remove_conversation_shared_with")]


@pytest.fixture
def migrator(transactional_db):
    """Runs messaging's migrations back to BEFORE, and forward to the end after
    the test."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_channels_shared_before_invitations_stay_shared_as_accepted(migrator):
    old = migrator.loader.project_state(BEFORE).apps
    Community = old.get_model("communities", "Community")
    Conversation = old.get_model("messaging", "Conversation")
    club = Community.objects.create(
        name="Skovby IF", slug="skovby-if", kind="association"
    )
    contractor = Community.objects.create(
        name="Grøn Plæne", slug="gron", kind="contractor"
    )
    channel = Conversation.objects.create(kind="channel", community=club, title="Græs")
    channel.shared_with.add(contractor)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    (share,) = new.get_model("messaging", "ChannelShare").objects.all()
    assert (share.channel_id, share.community_id) == (channel.pk, contractor.pk)
    assert share.state == "accepted"
