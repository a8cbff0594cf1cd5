from django.db import migrations


def publish_first_drafts(apps, schema_editor):
    """portal_create used to save a revision beside the live page without publishing
    it, so the admin showed every portal as having a draft. Where that revision is
    the portal's only one (nobody has edited it since), it is the live content."""
    PortalPage = apps.get_model("cms", "PortalPage")
    Page = apps.get_model("wagtailcore", "Page")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    page_type = ContentType.objects.filter(
        app_label="wagtailcore", model="page"
    ).first()
    if page_type is None:
        return
    portal_ids = PortalPage.objects.values_list("pk", flat=True)
    for page in Page.objects.filter(
        pk__in=portal_ids, live=True, has_unpublished_changes=True
    ):
        revisions = list(
            Revision.objects.filter(
                base_content_type=page_type, object_id=str(page.pk)
            )[:2]
        )
        if len(revisions) != 1 or page.latest_revision_id != revisions[0].pk:
            continue
        Page.objects.filter(pk=page.pk).update(
            has_unpublished_changes=False, live_revision=revisions[0]
        )


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_portal_documents_collection")]

    operations = [
        migrations.RunPython(publish_first_drafts, migrations.RunPython.noop),
    ]
