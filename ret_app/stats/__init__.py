"""Statistics building blocks: disclosure control (suppression), periods and charts."""
