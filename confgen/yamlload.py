"""The YAML parser confgen reads profiles and its own data with: libyaml's where it is installed, about ten times
faster, and the pure-Python one otherwise (PyYAML's SafeLoader either way: no tag builds an object)."""

from __future__ import annotations

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
