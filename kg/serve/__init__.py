"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint with a query page."""
