"""The mentor matching engine as a pure module (no Django): hard constraints, scores, min-cost flow."""
