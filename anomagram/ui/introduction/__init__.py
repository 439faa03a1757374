"""The Introduction page: hero, beat gallery, drawing, and the lesson's chapters."""
