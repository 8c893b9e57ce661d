from django.urls import path

from . import views

urlpatterns = [
    path("items", views.items),
    path("items/<int:item_id>", views.item),
]
