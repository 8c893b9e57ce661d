from django.urls import include, path

from items.views import health

urlpatterns = [
    path("health", health),
    path("api/", include("items.urls")),
]
