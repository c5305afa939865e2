"""The membership roll: imports of members and dues, and the staff's roll API."""
