"""The domain and the training loop: presets, data, the stacked model, the methods and the
Trainer. It imports no other cftui layer and no UI library (tests/test_layers.py)."""
