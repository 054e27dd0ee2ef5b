"""Coherence of ontology, data and shapes: OWL reasoning (HermiT) and the SPARQL checks that must return no rows."""
