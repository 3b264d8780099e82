"""Thin routers, one per resource; each reads only through the Reader of :mod:`chainsight.api._deps`."""
