#!/bin/bash
# Installs, with apt-get, what building and testing plsafepy needs on
# Debian 12 (libseccomp for plsafepy-worker's system call filter, libexpat
# for the entity bound of xml.etree: src/xml_entities.c);
# installs nothing that is already there.  Run as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need="postgresql-15 postgresql-server-dev-15 postgresql-plpython3-15 postgresql-common libpython3.11-dev python3.11-dev libseccomp-dev libseccomp2 libexpat1-dev make gcc"
missing=$(for p in $need; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
fi
