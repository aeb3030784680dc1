"""Outcomes at closing (result, help arranged, placement result, working days, gaps met, lessons) and the
gap taxonomy per region that the administrator keeps."""
