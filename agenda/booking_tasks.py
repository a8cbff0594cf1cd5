"""Background work of facility bookings: telling the one who asked how their
request was decided."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from .models import Booking

logger = logging.getLogger(__name__)


@task()
def booking_decided(booking_id: int, dates: int) -> None:
    """E-mail the requester that their booking (``dates`` dates of a season, or
    one) was approved or declined; nothing when they decided it themselves."""
    booking = (
        Booking.objects.select_related(
            "facility__owner", "community", "requested_by", "decided_by"
        )
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or booking.state not in (
        Booking.State.APPROVED,
        Booking.State.DECLINED,
    ):
        return
    user = booking.requested_by
    if user is None or not user.email or user.pk == booking.decided_by_id:
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "booking": booking,
            "facility": booking.facility,
            "user": user,
            "dates": dates,
            "approved": booking.state == Booking.State.APPROVED,
            "url": settings.WAGTAILADMIN_BASE_URL + reverse("agenda:bookings_pending"),
        }
        subject = render_to_string("agenda/email/booking_decided_subject.txt", context)
        body = render_to_string("agenda/email/booking_decided_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])
    logger.info("booking %s %s: requester told", booking_id, booking.state)
