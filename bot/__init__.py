"""Web gateway and channel adapters over one conversation core (Rasa REST)."""
