"""The selection policy as a pure module (no Django): caps per track group, school levels, change windows."""
