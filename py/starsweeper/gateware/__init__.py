"""Amaranth cores. Logical ports only: pins and I/O buffers live in the board top level."""
