"""ARTS/NRF POSLog (IXRetail namespace, with NCR ACS extensions) -> canonical SalesTransactions."""

from connectors.sales.poslog.parser import PosPromotionResolver, parse_poslog

__all__ = ["PosPromotionResolver", "parse_poslog"]
