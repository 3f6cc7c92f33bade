"""Inline keyboards by feature: pure functions of already-loaded data, no I/O."""
