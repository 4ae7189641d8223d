"""Kubernetes resource quantities (``cpu: 500m``, ``memory: 2Gi``, ``nvidia.com/gpu: 1``) read as the
API server reads them, so a value it refuses never satisfies a rule.

The grammar is apimachinery's (pkg/api/resource/quantity.go, ``ParseQuantity``): a signed number
(``1``, ``1.5``, ``.5``, ``1.``; the sign or the digits may be all there is, which is zero) and one
suffix: binary SI ``Ki Mi Gi Ti Pi Ei``, decimal SI ``n u m k M G T P E`` or a decimal exponent
``e``/``E`` and a signed integer. A quantity arrives as JSON, whose unmarshalling trims blanks
(``UnmarshalJSON``: ``strings.TrimSpace``) and reads a JSON number as its text. Anything else (``inf``,
``nan``, ``2GB``, ``1.5.0``, a boolean, a map, an empty string) the API server refuses. A custom
resource (KServe's ``resources``) is checked at admission by its CRD's int-or-string schema and
Kubernetes' quantity pattern instead: stricter in places (it wants a digit, refusing ``+``, ``.`` and
``Ki``, and a JSON number with a fraction is no integer), looser in one (``1e1.5``, which KServe's
controller then cannot decode with ``ParseQuantity``), so reading by ``ParseQuantity`` refuses nothing a
KServe pod could run with (kserve config/crd/full/llmisvc/serving.kserve.io_llminferenceservices.yaml).
"""

from __future__ import annotations

import math
import re
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, InvalidOperation, localcontext
from typing import Any

_GRAMMAR = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
#: Decimal arithmetic about as wide as apimachinery's exponents: it reads one as an int64
#: (``strconv.ParseInt`` in suffix.go ``interpret``) and so takes ``1e1000000``, which the default
#: context's Emax (999999) overflows into "no quantity"; it refuses one past an int64 (9.2e18), and this
#: one past MAX_EMAX (1e18 - 1 on 64-bit builds). Not modelled, as no one writes such amounts:
#: ``interpret`` then casts the exponent to int32 (``1e4294967296`` is 1 to the API server, a
#: wrap-around Trail of Bits' 2019 Kubernetes audit noted, TOB-K8S-015), and ``ParseQuantity`` rounds
#: an amount up to whole nanos (``1e-20`` is 1n) and caps a binary-SI one at 2^63 - 1.
_WIDE = Context(Emax=MAX_EMAX, Emin=MIN_EMIN)


def quantity(value: Any) -> Decimal | None:
    """A quantity's amount, or None when it is no quantity the API server takes (unset included)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    found = _GRAMMAR.fullmatch(text)
    if not text or found is None:
        return None
    sign, whole, fraction, suffix = found[1], found[2], found[3] or "", found[4] or ""
    try:
        with localcontext(_WIDE):
            amount = Decimal(f"{sign}{whole or '0'}.{fraction or '0'}")
            if suffix in _BINARY:
                return amount * (2 ** _BINARY[suffix])
            if suffix in _DECIMAL:
                return amount.scaleb(_DECIMAL[suffix])
            return amount.scaleb(int(suffix[1:]))
    except (InvalidOperation, ArithmeticError):  # an exponent past what :data:`_WIDE` holds
        return None
