# The data graph is the union of every graph of the data files: copy the triples of the named
# graphs into the default graph (a triple already there stays one triple), then drop them.
INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } ;
DROP NAMED
