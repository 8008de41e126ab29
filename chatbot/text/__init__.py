"""Text: language detection, sentence splitting, folding and function words.

One of each, used by every later stage. Imports nothing from the rest of the package.
"""
