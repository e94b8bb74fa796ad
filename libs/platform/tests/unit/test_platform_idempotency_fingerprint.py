import pytest
from retail_platform.idempotency import check_idempotency_key, request_fingerprint
from retail_platform.problems import ProblemError


def test_fingerprint_depends_on_method_path_and_body():
    base = request_fingerprint("POST", "/v1/items", b'{"a":1}')
    assert base == request_fingerprint("post", "/v1/items", b'{"a":1}')
    assert base != request_fingerprint("PUT", "/v1/items", b'{"a":1}')
    assert base != request_fingerprint("POST", "/v1/item", b'{"a":1}')
    assert base != request_fingerprint("POST", "/v1/items", b'{"a":2}')
    # the parts are length-prefixed: moving bytes between path and body changes the fingerprint
    assert request_fingerprint("POST", "/a", b"b") != request_fingerprint("POST", "/ab", b"")


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_bad_idempotency_keys_name_the_header(key):
    with pytest.raises(ProblemError) as raised:
        check_idempotency_key(key)
    assert raised.value.status == 400
    assert raised.value.field == "Idempotency-Key"
