"""A side effect that fails after commit never fails the request that wrote."""

from django.urls import reverse

from marketplace.models import Listing, Response


def test_a_response_is_saved_and_the_responder_told_when_the_notice_cannot_be_queued(
    client, listing, neighbour, broken_tasks, django_capture_on_commit_callbacks, caplog
):
    client.force_login(neighbour)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("marketplace:respond", args=[listing.pk]), {"message": "Jeg kan"}
        )

    assert response.status_code == 302
    assert callbacks  # the notice e-mail was attempted, and failed
    assert Response.objects.get(listing=listing).message == "Jeg kan"
    assert "e-mail to user" in caplog.text


def test_a_listing_is_published_when_matching_the_watches_cannot_be_queued(
    client, author, village, broken_tasks, django_capture_on_commit_callbacks, caplog
):
    client.force_login(author)
    form = {
        "kind": "offer",
        "title": "Gratis sofa",
        "description": "Grøn, tre puder.",
        "category": "other",
        "communities": [village.pk],
        "address": "Skovvej 2, Skovby",
        "helpers_needed": 1,
        "publish": "1",
    }

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("marketplace:create"), form)

    assert response.status_code == 302
    assert callbacks
    assert Listing.objects.get().title == "Gratis sofa"
    assert "match watches" in caplog.text
