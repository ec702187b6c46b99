"""The weekly learning-plan generator as a pure module (no Django)."""
