from django.db import models


class Item(models.Model):
    """Something in stock: a name and how many are left."""

    name = models.CharField(max_length=100, unique=True)
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def as_dict(self):
        return {"id": self.id, "name": self.name, "quantity": self.quantity}
