"""Asking SPARQL: query text, the saved-query catalog, parameters, running queries on a graph or an endpoint, printing results."""
