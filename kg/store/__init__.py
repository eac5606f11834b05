"""Stores: where a built graph lives. ``layout`` owns the directory; one module per engine."""
