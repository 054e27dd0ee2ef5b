"""Reading RDF: files and their syntaxes, the loaded graph (Oxigraph), its on-disk cache, prefixes, RDF terms as Python values."""
