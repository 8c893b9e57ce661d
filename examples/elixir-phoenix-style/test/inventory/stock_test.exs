defmodule Inventory.StockTest do
  use ExUnit.Case, async: true

  alias Inventory.Stock

  @tea %{name: "tea", quantity: 3, reorder_at: 1}

  test "takes from the stock" do
    assert Stock.take(@tea, 2) == {:ok, %{@tea | quantity: 1}}
  end

  test "refuses to take more than there is" do
    assert Stock.take(@tea, 4) == {:error, :not_enough}
  end

  test "restocks" do
    assert Stock.restock(@tea, 10).quantity == 13
  end

  test "is low at the reorder level" do
    assert Stock.low?(%{@tea | quantity: 1})
    refute Stock.low?(@tea)
  end
end
