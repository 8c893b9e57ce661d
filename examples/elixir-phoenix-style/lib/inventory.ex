defmodule Inventory do
  @moduledoc """
  Stock levels of a small shop: what is on the shelf, what to reorder.
  """

  alias Inventory.Stock

  @doc """
  The items whose quantity is at or below their reorder level, by name.

      iex> Inventory.to_reorder([%{name: "tea", quantity: 2, reorder_at: 5}, %{name: "jam", quantity: 9, reorder_at: 3}])
      ["tea"]
  """
  def to_reorder(items) do
    items
    |> Enum.filter(&Stock.low?/1)
    |> Enum.map(& &1.name)
    |> Enum.sort()
  end
end
