"""The shipped presets: TOML data, found with importlib.resources. Nothing here runs."""
