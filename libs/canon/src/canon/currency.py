"""ISO 4217 currency codes and their minor-unit exponents.

The exponent says how many decimal places the currency's minor unit has (USD 2: cents; JPY 0;
KWD 3: fils). Canonical codes are upper case; connectors upper-case what processors send (Stripe
sends "usd") with :func:`normalize` before building canonical amounts. Exponents are ISO's, not a
processor's: where a processor uses another exponent (e.g. a "zero-decimal" treatment of ISK/HUF),
the connector converts. Codes without a minor unit in ISO (XAU, XDR, ...) are not money here.
"""

from __future__ import annotations

from types import MappingProxyType

from canon.errors import ValidationError


def _codes(table: str) -> list[str]:
    """Space-separated tables read like the ISO list they come from."""
    return table.split()


_ZERO_DECIMAL = _codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF")
_THREE_DECIMAL = _codes("BHD IQD JOD KWD LYD OMR TND")
_FOUR_DECIMAL = _codes("CLF UYW")
_TWO_DECIMAL = _codes(
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL "
    "GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD "
    "LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN "
    "PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL "
    "THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL"
)

MINOR_UNIT_EXPONENTS: MappingProxyType[str, int] = MappingProxyType(
    {
        **dict.fromkeys(_TWO_DECIMAL, 2),
        **dict.fromkeys(_ZERO_DECIMAL, 0),
        **dict.fromkeys(_THREE_DECIMAL, 3),
        **dict.fromkeys(_FOUR_DECIMAL, 4),
    }
)
"""Currency code -> number of decimal places of its minor unit (read-only)."""


def is_known(code: object) -> bool:
    """True if ``code`` is an upper-case ISO 4217 code with a minor unit."""
    return isinstance(code, str) and code in MINOR_UNIT_EXPONENTS


def exponent(code: str) -> int:
    """Decimal places of the minor unit of ``code``; ValidationError("currency") if unknown."""
    places = MINOR_UNIT_EXPONENTS.get(code) if isinstance(code, str) else None
    if places is None:
        raise ValidationError("currency", f"unknown ISO 4217 currency code {code!r}")
    return places


def normalize(code: str, field: str = "currency") -> str:
    """Upper-case and strip a code from an outside source, then check it is known."""
    if not isinstance(code, str):
        raise ValidationError(field, f"expected a currency code, got {type(code).__name__}")
    canonical = code.strip().upper()
    if canonical not in MINOR_UNIT_EXPONENTS:
        raise ValidationError(field, f"unknown ISO 4217 currency code {code!r}")
    return canonical
