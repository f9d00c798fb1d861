"""Content rules over texts: pages, attachments, new-media posts and drafts.

Rules here read :class:`monitor.model.TextFacts` (``Scope.TEXT``). The
matching lives in plain helpers (``lexicon``, ``matching``, ``pii``) so that
the new-media rule N-V3 and the pre-publication command reuse the same code.
"""
