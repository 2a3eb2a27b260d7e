#!/bin/sh
# Installs what examples/penguins-python/train.py needs: Debian's python3-sklearn (which brings
# numpy, scipy and joblib) for Debian's /usr/bin/python3. Installs only when scikit-learn is
# missing and only as root (apt-get); says what it does, and why it does nothing.
# Exit status: 0 when scikit-learn is importable afterwards, 1 when it could not be installed.
set -eu

PYTHON=${MLOPS_EXAMPLE_PYTHON:-/usr/bin/python3}

has_sklearn() {
  "$PYTHON" -c 'import sklearn' >/dev/null 2>&1
}

if ! [ -x "$PYTHON" ]; then
  echo "install-python-example: $PYTHON does not exist; the example needs Debian's (or Ubuntu's) python3." >&2
  exit 1
fi
if has_sklearn; then
  echo "install-python-example: scikit-learn $("$PYTHON" -c 'import sklearn; print(sklearn.__version__)') is already installed for $PYTHON; nothing to do."
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-python-example: scikit-learn is missing and there is no apt-get; install scikit-learn for $PYTHON yourself (pip install scikit-learn)." >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-python-example: scikit-learn is missing; installing it needs root: sudo apt-get install python3-sklearn" >&2
  exit 1
fi
echo "install-python-example: installing python3-sklearn with apt-get (for $PYTHON)..."
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends python3-sklearn; then
  echo "install-python-example: apt-get install failed; refreshing the package lists (apt-get update) and trying again..."
  apt-get update
  apt-get install -y --no-install-recommends python3-sklearn
fi
if has_sklearn; then
  echo "install-python-example: scikit-learn $("$PYTHON" -c 'import sklearn; print(sklearn.__version__)') installed."
  exit 0
fi
echo "install-python-example: python3-sklearn was installed but $PYTHON still cannot import sklearn." >&2
exit 1
