"""One screen per module; each has its CSS in a .tcss file next to it."""
