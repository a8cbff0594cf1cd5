"""The demo data: the ONE place where tests build it (everywhere else: factories).

seed_demo must be idempotent, because `make run` calls it on every start.
"""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Site

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }


def test_seed_demo_twice_creates_nothing_new(mailoutbox):
    call_command("seed_demo", "--force", verbosity=0)
    after_first = _row_counts()

    call_command("seed_demo", "--force", verbosity=0)

    assert after_first["communities.Community"] >= 9
    assert after_first["accounts.User"] >= 30
    changed = {
        label: (count, after_first[label])
        for label, count in _row_counts().items()
        if count != after_first[label]
    }
    assert changed == {}


def test_seed_demo_refuses_to_run_without_debug():
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)


def test_seed_demo_serves_the_hub_and_its_links_on_the_port_it_is_given(
    client, mailoutbox
):
    call_command("seed_demo", "--force", verbosity=0)

    call_command("seed_demo", "--force", "--port", "8101", verbosity=0)
    on_portal_host = client.get("/", HTTP_HOST="skovby.localhost:8101")

    hub_site = Site.objects.get(is_default_site=True)
    assert hub_site.root_url == "http://127.0.0.1:8101"
    assert Site.objects.get(hostname="skovby.localhost").port == 8101
    assert on_portal_host.context["page"].title == "Skovby"
    assert 'class="hub-link" href="http://127.0.0.1:8101/"' in on_portal_host.text
