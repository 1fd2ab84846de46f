"""Reading documents: bytes of any format into paragraphs, sentences with offsets and pages."""
