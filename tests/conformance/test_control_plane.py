"""The bedrock control plane and STS through boto3: the catalog must match the origin
document's model table, pagination must work, logging configuration must round-trip."""

from __future__ import annotations

import botocore.exceptions
import pytest
from botocore.exceptions import ClientError

from simkit import (
    ACCOUNT,
    DENIED_MODEL,
    DEPRECATED,
    ORIGIN_TABLE,
    PLAIN,
    PROFILE_PREFIXES,
    REGION,
    SESSION,
    boto_client,
    expected_profiles,
)

ORIGIN_BASE_IDS = [base for base, _ in ORIGIN_TABLE.values()]


@pytest.fixture(scope="module")
def anthropic_models(control):
    resp = control.list_foundation_models(byProvider="anthropic")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    return resp["modelSummaries"]


@pytest.fixture(scope="module")
def all_profile_pages(control):
    pages = []
    kwargs: dict = {}
    while True:
        page = control.list_inference_profiles(**kwargs)
        pages.append(page)
        token = page.get("nextToken")
        if not token:
            break
        assert len(pages) < 100, "pagination does not terminate"
        kwargs = {"nextToken": token}
    return pages


# --- Foundation models -------------------------------------------------------------------------

def test_list_foundation_models_has_every_origin_model(anthropic_models):
    ids = [m["modelId"] for m in anthropic_models]
    assert len(ids) == len(set(ids)), f"duplicate model IDs: {ids}"
    missing = [b for b in ORIGIN_BASE_IDS if b not in ids]
    assert not missing, f"origin-document models missing from ListFoundationModels: {missing}"
    for m in anthropic_models:
        assert m["providerName"] == "Anthropic", m
        assert m["modelId"].startswith("anthropic."), m
        assert m["modelArn"] == f"arn:aws:bedrock:{REGION}::foundation-model/{m['modelId']}", m
        assert m["inferenceTypesSupported"], m


def test_list_foundation_models_filters_by_provider(control, anthropic_models):
    everything = control.list_foundation_models()["modelSummaries"]
    assert {m["modelId"] for m in anthropic_models} <= {m["modelId"] for m in everything}
    other = control.list_foundation_models(byProvider="meta")["modelSummaries"]
    assert not any(m["modelId"].startswith("anthropic.") for m in other)


@pytest.mark.parametrize("base_id", ORIGIN_BASE_IDS)
def test_get_foundation_model(control, base_id):
    details = control.get_foundation_model(modelIdentifier=base_id)["modelDetails"]
    assert details["modelId"] == base_id
    assert details["providerName"] == "Anthropic"
    assert details["modelArn"].endswith(f"foundation-model/{base_id}")
    types = details["inferenceTypesSupported"]
    assert types and set(types) <= {"ON_DEMAND", "INFERENCE_PROFILE", "PROVISIONED"}, types
    assert "TEXT" in details["inputModalities"] and "TEXT" in details["outputModalities"]
    assert details["responseStreamingSupported"] is True
    expected = "LEGACY" if base_id in DEPRECATED else "ACTIVE"
    assert details["modelLifecycle"]["status"] == expected, (base_id, details["modelLifecycle"])


def test_get_foundation_model_matches_the_list(control, anthropic_models):
    for summary in anthropic_models:
        details = control.get_foundation_model(modelIdentifier=summary["modelId"])["modelDetails"]
        assert details["inferenceTypesSupported"] == summary["inferenceTypesSupported"], summary["modelId"]


# --- Inference profiles ------------------------------------------------------------------------

def test_list_inference_profiles_paginates(all_profile_pages):
    sizes = [len(p["inferenceProfileSummaries"]) for p in all_profile_pages]
    assert len(sizes) >= 2, f"profilesPageSize 3 should give several pages, got {sizes}"
    assert all(s == 3 for s in sizes[:-1]), f"every page but the last should hold 3: {sizes}"
    assert 1 <= sizes[-1] <= 3, sizes
    ids = [s["inferenceProfileId"] for p in all_profile_pages for s in p["inferenceProfileSummaries"]]
    assert len(ids) == len(set(ids)), "a profile appears on two pages"


def test_list_inference_profiles_max_results(control, all_profile_pages):
    total = sum(len(p["inferenceProfileSummaries"]) for p in all_profile_pages)
    first = control.list_inference_profiles(maxResults=5)
    assert len(first["inferenceProfileSummaries"]) == min(5, total)
    collected = [s["inferenceProfileId"] for s in first["inferenceProfileSummaries"]]
    token = first.get("nextToken")
    while token:
        page = control.list_inference_profiles(maxResults=5, nextToken=token)
        collected += [s["inferenceProfileId"] for s in page["inferenceProfileSummaries"]]
        token = page.get("nextToken")
    default_order = [s["inferenceProfileId"] for p in all_profile_pages for s in p["inferenceProfileSummaries"]]
    assert collected == default_order


def test_list_inference_profiles_type_filter(control, all_profile_pages):
    everything = {s["inferenceProfileId"] for p in all_profile_pages for s in p["inferenceProfileSummaries"]}
    system = set()
    kwargs = {"typeEquals": "SYSTEM_DEFINED"}
    while True:
        page = control.list_inference_profiles(**kwargs)
        system |= {s["inferenceProfileId"] for s in page["inferenceProfileSummaries"]}
        if not page.get("nextToken"):
            break
        kwargs = {"typeEquals": "SYSTEM_DEFINED", "nextToken": page["nextToken"]}
    assert system == everything, "all simulated profiles are system-defined"


def test_boto3_paginator_sees_the_same_profiles(control, all_profile_pages):
    manual = [s["inferenceProfileId"] for p in all_profile_pages for s in p["inferenceProfileSummaries"]]
    paginated = [
        s["inferenceProfileId"]
        for page in control.get_paginator("list_inference_profiles").paginate()
        for s in page["inferenceProfileSummaries"]
    ]
    assert paginated == manual


def test_profiles_match_the_origin_table(all_profile_pages):
    summaries = {s["inferenceProfileId"]: s for p in all_profile_pages for s in p["inferenceProfileSummaries"]}
    mismatches = []
    for name, (base, flags) in ORIGIN_TABLE.items():
        for prefix, expected in zip(PROFILE_PREFIXES, flags):
            pid = f"{prefix}.{base}"
            if (pid in summaries) != expected:
                mismatches.append(f"{name}: {pid} should {'exist' if expected else 'not exist'}")
    assert not mismatches, "\n".join(mismatches)

    for base, pids in expected_profiles().items():
        for pid in pids:
            s = summaries[pid]
            assert s["type"] == "SYSTEM_DEFINED", s
            assert s["status"] == "ACTIVE", s
            assert s["inferenceProfileArn"].endswith(f"inference-profile/{pid}"), s
            assert f":{ACCOUNT}:" in s["inferenceProfileArn"], s
            model_arns = [m["modelArn"] for m in s["models"]]
            assert model_arns and all(a.endswith(f"foundation-model/{base}") for a in model_arns), s
            assert s["inferenceProfileName"], s


@pytest.mark.parametrize("profile_id", [
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "jp.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "apac.anthropic.claude-3-haiku-20240307-v1:0",
    "us.anthropic.claude-opus-4-1-20250805-v1:0",
])
def test_get_inference_profile(control, profile_id):
    prof = control.get_inference_profile(inferenceProfileIdentifier=profile_id)
    assert prof["inferenceProfileId"] == profile_id
    assert prof["type"] == "SYSTEM_DEFINED" and prof["status"] == "ACTIVE"
    base = profile_id.split(".", 1)[1]
    assert [m["modelArn"].rsplit("/", 1)[1] for m in prof["models"]][0] == base


def test_get_inference_profile_that_does_not_exist(control):
    # The origin table says Opus 4.1 has only a `us` profile.
    with pytest.raises(ClientError) as exc:
        control.get_inference_profile(inferenceProfileIdentifier="jp.anthropic.claude-opus-4-1-20250805-v1:0")
    err = exc.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] in (400, 404), err
    assert err["Error"]["Code"] in ("ResourceNotFoundException", "ValidationException"), err


# --- Availability ------------------------------------------------------------------------------

def test_get_foundation_model_availability(control):
    resp = control.get_foundation_model_availability(modelId="anthropic.claude-sonnet-4-5-20250929-v1:0")
    assert resp["modelId"] == "anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert resp["authorizationStatus"] == "AUTHORIZED"
    assert resp["regionAvailability"] == "AVAILABLE"
    assert resp["entitlementAvailability"] == "AVAILABLE"
    assert resp["agreementAvailability"]["status"] == "AVAILABLE"


def test_availability_of_an_access_denied_model(control):
    resp = control.get_foundation_model_availability(modelId=DENIED_MODEL)
    assert resp["authorizationStatus"] == "NOT_AUTHORIZED", resp


# --- Invocation logging ------------------------------------------------------------------------

def test_put_then_get_invocation_logging(control):
    cfg = {
        "cloudWatchConfig": {
            "logGroupName": "/cairn/bedrock-invocations",
            "roleArn": f"arn:aws:iam::{ACCOUNT}:role/cairn-logging",
        },
        "textDataDeliveryEnabled": True,
        "imageDataDeliveryEnabled": False,
        "embeddingDataDeliveryEnabled": False,
    }
    put = control.put_model_invocation_logging_configuration(loggingConfig=cfg)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    got = control.get_model_invocation_logging_configuration()["loggingConfig"]
    for key, value in cfg.items():
        assert got.get(key) == value, (key, got)

    cfg2 = {
        "s3Config": {"bucketName": "cairn-logs", "keyPrefix": "bedrock/"},
        "textDataDeliveryEnabled": True,
        "imageDataDeliveryEnabled": True,
        "embeddingDataDeliveryEnabled": False,
    }
    control.put_model_invocation_logging_configuration(loggingConfig=cfg2)
    got2 = control.get_model_invocation_logging_configuration()["loggingConfig"]
    for key, value in cfg2.items():
        assert got2.get(key) == value, (key, got2)
    assert "cloudWatchConfig" not in got2, "PUT replaces the whole configuration"

    control.delete_model_invocation_logging_configuration()
    assert "loggingConfig" not in control.get_model_invocation_logging_configuration()


@pytest.mark.parametrize("cfg, words", [
    ({"textDataDeliveryEnabled": True}, "At least one destination"),
    ({"cloudWatchConfig": {"logGroupName": "g", "roleArn": "not-an-arn"}}, "roleArn"),
    ({"s3Config": {"bucketName": "Bad_Bucket"}}, "bucketName"),
])
def test_invalid_logging_configurations_are_refused(control, cfg, words):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        control.put_model_invocation_logging_configuration(loggingConfig=cfg)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert words in caught.value.response["Error"]["Message"]


# --- STS ---------------------------------------------------------------------------------------

def test_sts_get_caller_identity(sts):
    ident = sts.get_caller_identity()
    assert ident["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert ident["Account"] == ACCOUNT
    assert ident["Arn"].startswith(f"arn:aws:"), ident["Arn"]
    assert f":{ACCOUNT}:" in ident["Arn"] and PLAIN.user_name in ident["Arn"], ident["Arn"]
    assert ident["UserId"], ident


def test_sts_with_session_token(sim_url):
    ident = boto_client("sts", sim_url, SESSION).get_caller_identity()
    assert ident["Account"] == ACCOUNT
    assert f":{ACCOUNT}:" in ident["Arn"], ident["Arn"]
    assert ident["UserId"]
