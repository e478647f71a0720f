"""stance: extract news quotes, attribute them to speakers, and classify their stance."""

__version__ = "0.1.0"
