import pytest
from retail_platform.api_keys import MalformedApiKeyError, generate_api_key, parse_api_key, secret_digest
from retail_platform.principal import ANONYMOUS, Principal


def principal(scopes=("master:read",), **bindings):
    return Principal(key_id="0123456789abcdef", owner="u-1", scopes=tuple(scopes), **bindings)


def test_generated_keys_parse_back_to_their_id_and_differ():
    key_id, plaintext = generate_api_key()
    other_id, other = generate_api_key()
    parsed_id, secret = parse_api_key(plaintext)
    assert parsed_id == key_id
    assert plaintext == f"rs_{key_id}_{secret}"
    assert len(secret) >= 43  # 32 random bytes, url-safe base64
    assert (other_id, other) != (key_id, plaintext)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "rs_",
        "xx_0123456789abcdef_" + "a" * 43,
        "rs_0123456789ABCDEF_" + "a" * 43,
        "rs_0123456789abcdef_short",
    ],
)
def test_malformed_keys_are_refused(text):
    with pytest.raises(MalformedApiKeyError):
        parse_api_key(text)


def test_secret_digest_is_sha256():
    assert secret_digest("abc").hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_scopes_exact_area_wildcard_and_everything():
    assert principal(["master:read"]).has_scope("master:read")
    assert not principal(["master:read"]).has_scope("master:write")
    assert principal(["master:*"]).has_scope("master:write")
    assert not principal(["master:*"]).has_scope("sales:write")
    assert principal(["*"]).has_scope("sales:write")
    assert ANONYMOUS.has_scope("inventory:read")


def test_empty_bindings_allow_everything():
    unbound = principal()
    assert unbound.may_access_channel("web")
    assert unbound.may_access_legal_entity("LE-FR")
    assert unbound.may_access_store_cluster("north")


def test_bindings_restrict_to_the_listed_values():
    bound = principal(channels=("web",), legal_entities=("LE-FR",), store_clusters=("north",))
    assert bound.may_access_channel("web")
    assert not bound.may_access_channel("pos")
    assert bound.may_access_legal_entity("LE-FR")
    assert not bound.may_access_legal_entity("LE-DE")
    assert bound.may_access_store_cluster("north")
    assert not bound.may_access_store_cluster("south")
