"""What people look at: entity cards, charts, the ecosystem picture, the ontology documentation."""
