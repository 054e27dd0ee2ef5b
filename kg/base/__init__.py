"""The ground floor: errors, namespaces, where the bundled files are, input limits, safe file writing, terminal manners."""
