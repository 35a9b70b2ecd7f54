"""Reference models: pure Python and numpy, the specification every core is checked against."""
