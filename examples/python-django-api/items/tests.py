import json

from django.db import connection
from django.test import TestCase

from .models import Item
from .views import parse_item


class ParseItemTests(TestCase):
    def test_rejects_a_missing_name(self):
        self.assertEqual(parse_item(b'{"quantity": 1}'), (None, "name is required"))

    def test_trims_the_name(self):
        self.assertEqual(
            parse_item(b'{"name": " bolt ", "quantity": 3}'),
            ({"name": "bolt", "quantity": 3}, None),
        )


class ItemsApiTests(TestCase):
    def test_runs_against_postgresql(self):
        self.assertEqual(connection.vendor, "postgresql")

    def test_health(self):
        response = self.client.get("/health")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "postgresql"})

    def test_creates_and_lists_items(self):
        created = self.client.post(
            "/api/items",
            data=json.dumps({"name": "washer", "quantity": 40}),
            content_type="application/json",
        )
        self.assertEqual(created.status_code, 201)
        Item.objects.create(name="anchor", quantity=2)
        listed = self.client.get("/api/items").json()["items"]
        self.assertEqual([i["name"] for i in listed], ["anchor", "washer"])

    def test_refuses_a_duplicate_name(self):
        Item.objects.create(name="nut", quantity=1)
        response = self.client.post(
            "/api/items", data=json.dumps({"name": "nut"}), content_type="application/json"
        )
        self.assertEqual(response.status_code, 409)

    def test_unknown_item_is_404(self):
        self.assertEqual(self.client.get("/api/items/999").status_code, 404)
