"""The question: parsed once into one value (terms, speakers, phrases, follow-ups)."""
