"""Writing the graph out: standard RDF syntaxes and nanopublications."""
