"""Rosters (花名册): reading the Excel rosters villages keep, importing and exporting households."""
