#!/usr/bin/env bash
# Debian's headless-capable Chromium, for the report's browser check
# (tests/ingest/report/test_report_browser.py). Called from .ci/run; safe to rerun.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    chromium --version 2>/dev/null | grep -v "unexpected operator" || true
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
chromium --version 2>/dev/null | grep -v "unexpected operator" || true
