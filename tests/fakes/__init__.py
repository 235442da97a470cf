"""Fakes of outside services for the tests (tests/ is on sys.path: `from fakes.rasa import FakeRasa`)."""
