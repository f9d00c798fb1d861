"""New-media account rules (N-*): Scope.ACCOUNT, one ``AccountFacts`` per call."""
