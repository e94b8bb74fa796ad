"""Bank statement parsers: camt.053 / BAI2 / MT940 bytes -> canon.bank.BankStatement (pure)."""

from connectors.bank.bai2 import parse_bai2
from connectors.bank.camt053 import parse_camt053
from connectors.bank.detect import detect_and_parse, sniff_bank_format
from connectors.bank.mt940 import parse_mt940

__all__ = ["detect_and_parse", "parse_bai2", "parse_camt053", "parse_mt940", "sniff_bank_format"]
