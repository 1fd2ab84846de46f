"""Arabic text analysis: normalization, clitic segmentation, stems, character grams."""
