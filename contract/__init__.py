"""contract: what the station and HQ must agree on, and nothing else.

The MQTT contract v1 (`wire`), the sealed-packet format (`packets`), signed assignments (`assignment`), the
offline export's signed manifest (`export`), NIK, phone and PIN rules, ids and the application QR, key files,
the durable-file rule both sides follow (`durable`, with its crash-test `failpoints`) and the coded error base
(`errors`). It imports only the standard library, cryptography, pydantic and the number/phone rule libraries:
HQ reaches the station side only through this package.
"""
