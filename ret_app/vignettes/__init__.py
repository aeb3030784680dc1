"""Anonymised learning vignettes ("leerverhalen") of closed cases and the learning-session pack.

Capabilities add sections to the generated text through `register_section(order, fn)` (sections.py),
and the people and providers their records name to the case's cast through `register_cast(fn)`
(scrub.py), without the generator knowing them. The scrubber every export of free text uses is `scrub.py`."""

from ret_app.vignettes.sections import register_section  # noqa: F401  (light: no routes, no models)
from ret_app.vignettes.scrub import register_cast  # noqa: F401
