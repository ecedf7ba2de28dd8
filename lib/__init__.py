"""Data, statistics and presentation helpers for the trygghet dashboard."""
