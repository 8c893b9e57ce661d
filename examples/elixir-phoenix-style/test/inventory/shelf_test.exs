defmodule Inventory.ShelfTest do
  use ExUnit.Case, async: true

  alias Inventory.Shelf

  setup do
    shelf = start_supervised!({Shelf, items: [%{name: "jam", quantity: 2, reorder_at: 0}]})
    %{shelf: shelf}
  end

  test "sells until nothing is left", %{shelf: shelf} do
    assert {:ok, %{quantity: 1}} = Shelf.sell(shelf, "jam", 1)
    assert {:ok, %{quantity: 0}} = Shelf.sell(shelf, "jam", 1)
    assert Shelf.sell(shelf, "jam", 1) == {:error, :not_enough}
  end

  test "does not know what it does not stock", %{shelf: shelf} do
    assert Shelf.sell(shelf, "caviar", 1) == {:error, :unknown_item}
    assert [%{name: "jam"}] = Shelf.items(shelf)
  end
end
