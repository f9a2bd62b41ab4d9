"""The file formats of a session graph, one module each; :mod:`graph.io` chooses among them."""
