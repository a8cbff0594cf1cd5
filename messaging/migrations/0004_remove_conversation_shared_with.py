from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0003_shares_from_shared_with"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="conversation",
            name="shared_with",
        ),
    ]
