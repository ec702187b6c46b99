"""Selection policy, a pure module (no Django): caps per track group, levels, windows."""
