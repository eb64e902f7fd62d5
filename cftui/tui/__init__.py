"""The live Textual app. Only this package imports Textual; it reads Snapshots and sends
Commands, and never touches the model or the optimizer."""
