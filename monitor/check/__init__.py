"""Judging: runs the rules of ``rules/`` over stored facts and keeps each finding's life.

``checking`` (one check run per site or account), ``facts`` (loads a crawl's facts for the rules),
``lifecycle`` (finding states and deadlines), ``recheck`` (re-visits open findings' evidence).
"""
