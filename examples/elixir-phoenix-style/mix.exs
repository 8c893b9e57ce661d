defmodule Inventory.MixProject do
  use Mix.Project

  def project do
    [
      app: :inventory,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: deps(),
      test_coverage: [summary: [threshold: 80]],
      aliases: aliases()
    ]
  end

  def application do
    [
      extra_applications: [:logger],
      mod: {Inventory.Application, []}
    ]
  end

  # No Hex packages: the database chores are psql scripts (see priv/db), run by the aliases below.
  defp deps do
    []
  end

  defp aliases do
    [
      "db.migrate": ["cmd sh priv/db/migrate.sh up"],
      "db.rollback": ["cmd sh priv/db/migrate.sh down"],
      "db.seed": ["cmd psql -v ON_ERROR_STOP=1 -q -f priv/db/seeds.sql"]
    ]
  end
end
