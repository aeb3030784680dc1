#!/usr/bin/env bash
# Install the Debian packages the test suite needs, but only those that are missing (a machine that
# has them all is left alone and needs no network):
#   chromium              browser tests (Playwright drives /usr/bin/chromium; never `playwright install`)
#   poppler-utils         pdftotext / pdftoppm for PDF tests
#   libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core   WeasyPrint
#   postgresql            only when initdb/pg_ctl are neither on the PATH nor in /usr/lib/postgresql/*/bin
#   python3.11-venv       only when ${PYTHON:-python3.11} cannot make a virtualenv (no ensurepip)
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

have_postgres_binaries() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        return 0
    fi
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x $dir/initdb && -x $dir/pg_ctl ]] && return 0
    done
    return 1
}

missing=()
for pkg in chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do
    if ! installed "$pkg"; then
        # A browser installed some other way is fine too.
        if [[ $pkg == chromium && -x /usr/bin/chromium ]]; then continue; fi
        missing+=("$pkg")
    fi
done
if ! have_postgres_binaries; then
    missing+=(postgresql)
fi
if ! "${PYTHON:-python3.11}" -c "import ensurepip, venv" >/dev/null 2>&1; then
    missing+=(python3.11-venv)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: missing ${missing[*]} and no apt-get; install them by hand" >&2
    exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    SUDO=(sudo)
fi

echo "install-system-deps: installing ${missing[*]}"
"${SUDO[@]}" apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
