"""Sales connectors: channel payloads (Shopify webhooks, ARTS POSLog) -> canonical SalesTransaction.

Parsers are pure. They report every problem they find at once as a ParseError whose
RowProblems name the payload path (e.g. ``line_items[1].price``) and, as ``line``, the 1-based
position of the item or transaction at fault (0 when the problem is document-wide). They map
what the payload says and do not repair it: a payload that parses but does not balance comes
out as a transaction that `canon.sales.validate_transaction` rejects, with its reasons.
"""
