"""Engines that run the audit's per-page core: the local process pool (default)."""
