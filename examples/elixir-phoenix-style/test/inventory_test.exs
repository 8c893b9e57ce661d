defmodule InventoryTest do
  use ExUnit.Case, async: true
  doctest Inventory

  test "lists what to reorder by name" do
    items = [
      %{name: "rice", quantity: 0, reorder_at: 1},
      %{name: "oil", quantity: 1, reorder_at: 1},
      %{name: "salt", quantity: 7, reorder_at: 2}
    ]

    assert Inventory.to_reorder(items) == ["oil", "rice"]
  end
end
