"""The namespaces kg's code names terms in: one place, so no module spells an IRI by hand.

The project's own prefixes for queries and tables (every prefix the Turtle files and saved
queries declare) are read from those files by :mod:`kg.rdf.prefixes`; this module holds only the
namespaces that Python code itself needs, as plain strings (pyoxigraph and rdflib both take
``NAMESPACE + "local"``).

Example:
    >>> from kg.base.namespaces import RDF, SNK
    >>> RDF + "type"
    'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
    >>> SNK + "Claim"
    'https://w3id.org/supernode-kg/ontology#Claim'
"""

from __future__ import annotations

from typing import Final

# W3C vocabularies
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
SH: Final = "http://www.w3.org/ns/shacl#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
PROV: Final = "http://www.w3.org/ns/prov#"
DCTERMS: Final = "http://purl.org/dc/terms/"
OA: Final = "http://www.w3.org/ns/oa#"
DCAT: Final = "http://www.w3.org/ns/dcat#"
NP: Final = "http://www.nanopub.org/nschema#"

# supernode-kg
SNK: Final = "https://w3id.org/supernode-kg/ontology#"
SND: Final = "https://w3id.org/supernode-kg/id/"
SYNTH: Final = "https://w3id.org/supernode-kg/id/synth/"
PROJECT_HOME: Final = "https://w3id.org/supernode-kg"
NANOPUBS: Final = "https://w3id.org/supernode-kg/np/"

# terms used often enough to name
RDF_TYPE: Final = RDF + "type"
RDFS_LABEL: Final = RDFS + "label"
XSD_STRING: Final = XSD + "string"
XSD_DECIMAL: Final = XSD + "decimal"
SNK_CLAIM: Final = SNK + "Claim"
