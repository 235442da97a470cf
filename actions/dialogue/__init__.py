"""The screening dialogue as plain functions (no Rasa types), so it is testable on its own."""
