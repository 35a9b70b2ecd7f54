"""The `starsweeper stack` tool: reading photos, stacking them with the models or the RTL."""
