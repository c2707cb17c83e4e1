#!/bin/sh
# Renders one manual page (docs/*.[1-9]) as man(1) would, tables included,
# and fails on any warning or error groff gives: an unknown macro, a bad
# escape, a line that cannot be set. Usage: check_page.sh PAGE
page=$1
if ! command -v groff >/dev/null 2>&1; then
  echo "groff not found: install the Debian package groff-base (make deps does)"
  exit 1
fi
if [ ! -r "$page" ]; then
  echo "$page: cannot read it"
  exit 1
fi
out=$(groff -t -man -Tutf8 -ww -z "$page" 2>&1)
rc=$?
if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
  echo "$page: groff says (status $rc):"
  echo "$out"
  exit 1
fi
