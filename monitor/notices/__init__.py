"""Notice assembly: the monthly supervision notice (督查通报), its new-media part, the rectification
ledger and publication statistics, built from stored findings for ``reports/`` to render.
"""
