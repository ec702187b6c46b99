"""Mentor matching, a pure module (no Django): constraints, scores, min-cost flow."""
