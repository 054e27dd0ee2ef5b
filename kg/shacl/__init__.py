"""SHACL validation: reading shapes, the fast engine and the pySHACL reference, validation reports."""
