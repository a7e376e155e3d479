"""confgen: completed DICOM Conformance Statement tables from a YAML profile, checked against the standard."""

__version__ = "0.1.0"
