import django.db.models.deletion
from django.db import migrations, models

LOGIN = "login"


def link_collections(apps, schema_editor):
    """Portals made before this field find their collection by name (portal_create
    names it after the community, as a child of the root collection), and
    members-only ones get the login restriction portal_create now sets."""
    PortalPage = apps.get_model("cms", "PortalPage")
    Collection = apps.get_model("wagtailcore", "Collection")
    Restriction = apps.get_model("wagtailcore", "CollectionViewRestriction")
    for portal in PortalPage.objects.filter(documents_collection__isnull=True):
        community = portal.community
        collection = (
            Collection.objects.filter(depth=2, name=community.name)
            .order_by("path")
            .first()
        )
        if collection is None:
            continue
        PortalPage.objects.filter(pk=portal.pk).update(documents_collection=collection)
        if community.visibility == "members":
            Restriction.objects.get_or_create(
                collection=collection, restriction_type=LOGIN
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_initial"),
        ("communities", "0002_membership_removed_at"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="portalpage",
            name="documents_collection",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="wagtailcore.collection",
                verbose_name="collection",
            ),
        ),
        migrations.RunPython(link_collections, migrations.RunPython.noop),
    ]
