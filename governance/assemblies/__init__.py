"""Assemblies in the room: the session's lifecycle, the door, proxies, quorum, minutes; their pages and API."""
