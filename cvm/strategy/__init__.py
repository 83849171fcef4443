"""Contact strategy: validation of the marketer-edited seeds and the export of the published plan."""
