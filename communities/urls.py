from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("mine/", views.my_communities, name="mine"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    # Before the other actions: removing asks to confirm first.
    path("membership/<int:pk>/remove/", views.membership_remove, name="remove"),
    path(
        "membership/<int:pk>/<str:action>/", views.membership_action, name="membership"
    ),
    path("<slug:slug>/", views.community_detail, name="detail"),
    path("<slug:slug>/members/", views.community_members, name="members"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/invite/", views.invite, name="invite"),
    path("<slug:slug>/rules/", views.house_rules, name="rules"),
    path("<slug:slug>/invitation/decline/", views.invitation_decline, name="decline"),
]
