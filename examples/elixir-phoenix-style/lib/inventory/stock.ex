defmodule Inventory.Stock do
  @moduledoc """
  One item's stock: taking from it, adding to it, and whether it runs low.
  """

  @type item :: %{name: String.t(), quantity: non_neg_integer(), reorder_at: non_neg_integer()}

  @doc "True when the item should be reordered."
  @spec low?(item()) :: boolean()
  def low?(%{quantity: q, reorder_at: r}), do: q <= r

  @doc "Takes `n` from the item, or says there are not enough."
  @spec take(item(), pos_integer()) :: {:ok, item()} | {:error, :not_enough}
  def take(%{quantity: q} = item, n) when is_integer(n) and n > 0 do
    if n <= q, do: {:ok, %{item | quantity: q - n}}, else: {:error, :not_enough}
  end

  @doc "Adds a delivery of `n` to the item."
  @spec restock(item(), pos_integer()) :: item()
  def restock(%{quantity: q} = item, n) when is_integer(n) and n > 0 do
    %{item | quantity: q + n}
  end
end
