"""The platform pages' stable addresses (the footer's links) and the contact form."""

from django.urls import path

from . import views

app_name = "cms"

urlpatterns = [
    path("contact/send/", views.contact_send_view, name="contact_send"),
    path("<slug:role>/", views.platform_page_redirect, name="platform_page"),
]
