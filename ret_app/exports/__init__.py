"""Export jobs: an export that takes longer than a moment is made by the job runner while its
requester watches its progress; the file is downloaded by the requester only, until it expires.
Capabilities register their kinds of export in `registry` (see its docstring)."""
