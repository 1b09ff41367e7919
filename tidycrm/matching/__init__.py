"""Record matching: comparisons, a Fellegi-Sunter model trained unsupervised, blocking and
clustering. Pure: no Django."""
