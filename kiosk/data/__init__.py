"""Package data: the bundled sample catalogue and the catalogue JSON Schema."""
