"""The spec-drift tools: is upstream still the API we vendored, and the job that acts on the answer.

``python -m scripts.drift`` is the command (:mod:`.command`): compare, ``--write``, ``--history``.  Beside it:
the comparison (:mod:`.check`), overlay rot (:mod:`.rot`), the report (:mod:`.report`), writing a new vendored
spec (:mod:`.write`), the history of upstream revisions (:mod:`.history`); and the daily job
(``python -m scripts.drift.ci``, :mod:`.ci`) with its git (:mod:`.pr`), GitHub (:mod:`.github`), test
(:mod:`.tests`) and text (:mod:`.body`) parts.  They use the rest of ``scripts/`` (manifest, overlay engine,
regeneration, spec diff); nothing there uses them.
"""
