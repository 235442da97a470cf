"""Channel tests (a package, so its helper modules cannot clash with other test folders')."""
