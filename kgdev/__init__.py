"""Development tools kept out of the installed package: the synthetic-graph generator for
benchmarks and tests, and the writer of the bundled derived-edges file."""
