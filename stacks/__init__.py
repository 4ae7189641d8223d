"""Stack files, the typed configuration model and the composition of the platform."""
