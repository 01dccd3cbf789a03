"""Presentation layer: formatting, the chart theme, figures and narrative text."""
