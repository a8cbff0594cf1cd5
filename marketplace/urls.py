from django.urls import path

from . import views

app_name = "marketplace"

urlpatterns = [
    path("", views.listing_list, name="list"),
    path("new/", views.listing_create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("tags/", views.tag_suggest, name="tags"),
    path("watches/", views.watches, name="watches"),
    path("watches/<int:pk>/delete/", views.watch_delete, name="watch_delete"),
    path("alerts/", views.alerts, name="alerts"),
    path("<int:pk>/", views.listing_detail, name="detail"),
    path("<int:pk>/edit/", views.listing_edit, name="edit"),
    path("<int:pk>/renew/", views.listing_renew, name="renew"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/book/", views.book, name="book"),
    path("<int:pk>/<str:action>/", views.listing_action, name="action"),
    path("photo/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("response/<int:pk>/<str:action>/", views.response_action, name="response"),
    path("match/<int:pk>/", views.match_detail, name="match"),
    path("match/<int:pk>/<str:action>/", views.match_action, name="match_action"),
    path("booking/<int:pk>/<str:action>/", views.booking_action, name="booking"),
]
