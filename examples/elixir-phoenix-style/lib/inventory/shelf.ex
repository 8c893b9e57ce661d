defmodule Inventory.Shelf do
  @moduledoc """
  The shop's stock in a process, so concurrent sales never sell the same last item twice.
  """
  use Agent

  alias Inventory.Stock

  def start_link(opts) do
    items = Keyword.get(opts, :items, [])
    Agent.start_link(fn -> Map.new(items, &{&1.name, &1}) end, name: Keyword.get(opts, :name))
  end

  @doc "Sells `n` of `name`: the item left, or why not."
  def sell(shelf, name, n) do
    Agent.get_and_update(shelf, fn items ->
      with {:ok, item} <- Map.fetch(items, name) |> found(),
           {:ok, left} <- Stock.take(item, n) do
        {{:ok, left}, Map.put(items, name, left)}
      else
        error -> {error, items}
      end
    end)
  end

  @doc "Everything on the shelf, by name."
  def items(shelf) do
    Agent.get(shelf, fn items -> items |> Map.values() |> Enum.sort_by(& &1.name) end)
  end

  defp found(:error), do: {:error, :unknown_item}
  defp found(ok), do: ok
end
