"""Releasing: the version and its policy, the changelog, the API check, the artifacts' checks, the audit.

* :mod:`scripts.release.changelog`: the one version source (``src/invoice_clients/_version.py``), the version
  policy, the changelog's fragments (``changelog.d/``) and ``CHANGELOG.md`` (standard library only: the drift
  job's own Python imports it);
* :mod:`scripts.release.api`: the public API against the last release's snapshot (griffe);
* :mod:`scripts.release.artifacts`: what ``nox -s release`` checks in the sdist and the wheel;
* :mod:`scripts.release.tour`: the README's tour against the wheel alone, in a fresh virtual environment;
* :mod:`scripts.release.audit`: the runtime pins against an advisory database (pip-audit), and the issue.

docs/maintainers/releasing.md is the maintainers' page.
"""
