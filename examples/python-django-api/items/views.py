import json

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import Item


def health(request):
    """Up, and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})


def parse_item(body):
    """The fields of a new item, or an error message."""
    try:
        data = json.loads(body or b"{}")
    except json.JSONDecodeError:
        return None, "body is not JSON"
    name = data.get("name")
    quantity = data.get("quantity", 0)
    if not isinstance(name, str) or not name.strip():
        return None, "name is required"
    if not isinstance(quantity, int) or quantity < 0:
        return None, "quantity must be a non-negative integer"
    return {"name": name.strip(), "quantity": quantity}, None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def items(request):
    """GET lists the items; POST adds one."""
    if request.method == "GET":
        return JsonResponse({"items": [i.as_dict() for i in Item.objects.all()]})
    fields, error = parse_item(request.body)
    if error:
        return JsonResponse({"error": error}, status=400)
    if Item.objects.filter(name=fields["name"]).exists():
        return JsonResponse({"error": "an item with that name exists"}, status=409)
    return JsonResponse(Item.objects.create(**fields).as_dict(), status=201)


@require_http_methods(["GET"])
def item(request, item_id):
    """One item, or 404."""
    found = Item.objects.filter(id=item_id).first()
    if found is None:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse(found.as_dict())
