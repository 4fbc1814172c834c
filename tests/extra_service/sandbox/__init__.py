"""The extra service's sandbox package (no routes: the test reaches no API of it)."""
