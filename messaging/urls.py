from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.direct_new, name="direct_new"),
    path("community/<slug:slug>/", views.community_channels, name="channels"),
    path("c/<int:pk>/", views.conversation, name="conversation"),
    path("c/<int:pk>/settings/", views.channel_settings, name="channel_settings"),
    path("c/<int:pk>/people/add/", views.participant_add, name="participant_add"),
    path("c/<int:pk>/<str:action>/", views.channel_action, name="channel_action"),
    path("share/<int:pk>/<str:decision>/", views.share_decide, name="share_decide"),
    path("m/<int:pk>/edit/", views.message_edit, name="edit"),
    path("m/<int:pk>/remove/", views.message_remove, name="remove"),
    path("m/<int:pk>/react/", views.message_react, name="react"),
]
