"""SOC computational twin: an agent-based model of serious and organised crime in the UK."""

__version__ = "0.1.0"
