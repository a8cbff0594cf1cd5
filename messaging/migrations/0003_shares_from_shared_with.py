"""Every channel already shared keeps its sharing: the old M2M rows become
accepted shares (they were agreed before invitations existed)."""

from django.db import migrations


def shares_from_shared_with(apps, schema_editor):
    Conversation = apps.get_model("messaging", "Conversation")
    ChannelShare = apps.get_model("messaging", "ChannelShare")
    through = Conversation.shared_with.through
    rows = through.objects.select_related("conversation").order_by("pk")
    ChannelShare.objects.bulk_create(
        [
            ChannelShare(
                channel_id=row.conversation_id,
                community_id=row.community_id,
                state="accepted",
                invited_by_id=row.conversation.created_by_id,
                decided_at=row.conversation.updated_at,
            )
            for row in rows
            if row.community_id != row.conversation.community_id
        ],
        ignore_conflicts=True,
    )


def shared_with_from_shares(apps, schema_editor):
    Conversation = apps.get_model("messaging", "Conversation")
    ChannelShare = apps.get_model("messaging", "ChannelShare")
    through = Conversation.shared_with.through
    through.objects.bulk_create(
        [
            through(conversation_id=share.channel_id, community_id=share.community_id)
            for share in ChannelShare.objects.filter(state="accepted")
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0002_channelshare"),
    ]

    operations = [
        migrations.RunPython(shares_from_shared_with, shared_with_from_shares),
    ]
