"""Groups of ``kg`` commands kept out of :mod:`kg.cli` (which holds the group and the build,
query and export commands), and the options they share. Each command stays thin: parse, call
the library, print through :mod:`kg.output`."""
