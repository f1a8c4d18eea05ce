# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where credentials come from: the pure decision, for every auth_source and situation."""

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils import _auth
from ansible_collections.upgradegate.azure.plugins.module_utils._errors import ValidationError

SUB = "1b2c3d4e-0000-4a5b-8c9d-0123456789ab"
SP_ENV = {"AZURE_TENANT": "t-env", "AZURE_CLIENT_ID": "c-env", "AZURE_SECRET": "s-env", "AZURE_SUBSCRIPTION_ID": SUB}
SP_ENV_IDENTITY_NAMES = {"AZURE_TENANT_ID": "t-env", "AZURE_CLIENT_ID": "c-env", "AZURE_CLIENT_SECRET": "s-env"}
PROFILES = {"ci": {"tenant": "t-prof", "client_id": "c-prof", "secret": "s-prof", "subscription_id": SUB},
            "default": {"tenant": "t-def", "client_id": "c-def", "x509_certificate_path": "/p/def.pem"},
            "subonly": {"subscription_id": SUB}}


def reader(path, name):
    assert path.endswith("credentials")
    if name not in PROFILES:
        raise ValidationError("profile", "%r is not a section" % name)
    return dict(PROFILES[name])


def plan(params=None, environ=None, az_path=None):
    return _auth.plan(dict(params or {}), dict(environ or {}), profile_reader=reader, az_path=az_path)


def test_auto_prefers_credentials_given_as_options_over_profile_and_environment():
    chosen = plan({"tenant": "t-opt", "client_id": "c-opt", "secret": "s-opt", "profile": "ci"}, SP_ENV)
    assert (chosen.source, chosen.method) == ("options", "client_secret")
    assert (chosen.settings["tenant"], chosen.settings["secret"]) == ("t-opt", "s-opt")


def test_auto_takes_a_named_profile_before_environment_variables():
    chosen = plan({"profile": "ci"}, SP_ENV)
    assert (chosen.source, chosen.method) == ("profile", "client_secret")
    assert (chosen.settings["client_id"], chosen.settings["secret"]) == ("c-prof", "s-prof")


def test_a_profile_named_through_azure_profile_counts_as_named():
    # AZURE_PROFILE reaches the module as the profile option (env fallback in the argument spec).
    assert plan({"profile": "default"}, SP_ENV).source == "profile"


def test_an_option_overrides_one_profile_value_and_the_profile_overrides_the_environment():
    chosen = plan({"profile": "ci", "client_id": "c-opt"}, dict(SP_ENV, AZURE_TENANT="t-env"))
    assert (chosen.settings["client_id"], chosen.settings["tenant"]) == ("c-opt", "t-prof")


def test_auto_uses_a_client_secret_from_the_environment():
    chosen = plan({}, SP_ENV)
    assert (chosen.source, chosen.method, chosen.settings["secret"]) == ("env", "client_secret", "s-env")


def test_azure_identity_environment_names_work_as_well_as_azcollection_ones():
    chosen = plan({}, SP_ENV_IDENTITY_NAMES)
    assert (chosen.source, chosen.method) == ("env", "client_secret")
    assert (chosen.settings["tenant"], chosen.settings["secret"]) == ("t-env", "s-env")


def test_the_azcollection_name_wins_when_both_families_are_set():
    chosen = plan({}, dict(SP_ENV_IDENTITY_NAMES, AZURE_SECRET="s-az", AZURE_TENANT="t-az"))
    assert (chosen.settings["secret"], chosen.settings["tenant"]) == ("s-az", "t-az")


def test_auto_uses_a_certificate_from_either_environment_name():
    for name in ("AZURE_X509_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH"):
        chosen = plan({}, {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", name: "/p/cert.pem"})
        assert (chosen.method, chosen.settings["x509_certificate_path"]) == ("certificate", "/p/cert.pem")


def test_auto_uses_a_federated_token_file_with_tenant_and_client():
    chosen = plan({}, {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token"})
    assert (chosen.source, chosen.method, chosen.settings["token_file"]) == ("env", "federated", "/var/run/token")


def test_auto_falls_to_the_cli_then_managed_identity_when_az_is_on_path():
    assert plan({}, {}, az_path="/usr/bin/az").method == "cli_then_msi"


def test_auto_falls_to_managed_identity_without_anything_else():
    chosen = plan({}, {"AZURE_CLIENT_ID": "user-assigned"})
    assert (chosen.source, chosen.method, chosen.settings["client_id"]) == ("msi", "msi", "user-assigned")


def test_a_profile_without_credentials_still_gives_its_settings():
    chosen = plan({"profile": "subonly"}, {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"})
    assert (chosen.source, chosen.settings["subscription_id"]) == ("env", SUB)


@pytest.mark.parametrize("source", ["cli", "msi"])
def test_explicit_sources_ignore_credentials_lying_around(source):
    assert plan({"auth_source": source}, SP_ENV).method == source


def test_credential_file_reads_the_default_section_when_no_profile_is_named():
    chosen = plan({"auth_source": "credential_file"}, SP_ENV)
    assert (chosen.method, chosen.settings["x509_certificate_path"], chosen.settings["tenant"]) == ("certificate", "/p/def.pem", "t-def")


def test_a_profile_that_does_not_exist_is_refused_naming_profile():
    with pytest.raises(ValidationError, match=r"^profile: 'nope'"):
        plan({"profile": "nope"})


def test_env_without_credentials_is_refused_naming_auth_source():
    with pytest.raises(ValidationError, match=r"^auth_source: 'env' found no credentials in the environment"):
        plan({"auth_source": "env"}, {"AZURE_SUBSCRIPTION_ID": SUB})


def test_workload_identity_needs_the_token_file():
    with pytest.raises(ValidationError, match=r"^auth_source: 'workload_identity' needs AZURE_FEDERATED_TOKEN_FILE"):
        plan({"auth_source": "workload_identity", "tenant": "t", "client_id": "c"})


@pytest.mark.parametrize("missing", ["tenant", "client_id"])
def test_a_client_secret_without_tenant_or_client_is_refused_naming_the_missing_one(missing):
    params = {"tenant": "t", "client_id": "c", "secret": "s"}
    del params[missing]
    with pytest.raises(ValidationError, match=r"^%s: required to authenticate with a client secret" % missing):
        _auth.check_plan(plan(params))


def test_a_certificate_path_that_is_not_a_file_is_refused(tmp_path):
    with pytest.raises(ValidationError, match=r"^x509_certificate_path: .*is not a file"):
        _auth.check_plan(plan({"tenant": "t", "client_id": "c", "x509_certificate_path": str(tmp_path / "missing.pem")}))


def test_a_subscription_id_that_is_not_a_uuid_is_refused_wherever_it_came_from():
    with pytest.raises(ValidationError, match=r"^subscription_id: 'my-sub' is not a subscription id"):
        _auth.check_plan(plan({}, {"AZURE_SUBSCRIPTION_ID": "my-sub"}))


def test_the_credentials_file_moves_with_azure_config_dir(tmp_path):
    assert _auth.credentials_file({"AZURE_CONFIG_DIR": str(tmp_path)}) == str(tmp_path / "credentials")


def test_read_profile_keeps_only_keys_named_like_options(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[ci]\nsubscription_id = %s\nsecret = s\nunknown = x\ntenant =\n" % SUB)
    assert _auth.read_profile(str(path), "ci") == {"subscription_id": SUB, "secret": "s"}
    with pytest.raises(ValidationError, match=r"^profile: 'prod' is not a section of .*; sections there: ci"):
        _auth.read_profile(str(path), "prod")


def test_a_missing_credentials_file_is_refused_naming_profile(tmp_path):
    with pytest.raises(ValidationError, match=r"^profile: 'ci': the credentials file .* does not exist"):
        _auth.read_profile(str(tmp_path / "credentials"), "ci")


def test_the_cli_default_subscription_is_read_from_az_account_show():
    class Done:
        returncode, stdout, stderr = 0, '{"id": "%s", "name": "dev"}' % SUB, ""

    calls = []
    assert _auth.cli_default_subscription("/bin/az", run=lambda cmd, **kw: calls.append(cmd) or Done()) == SUB
    assert calls == [["/bin/az", "account", "show", "--output", "json"]]


def test_a_cli_that_is_not_logged_in_gives_a_clear_subscription_error():
    class Done:
        returncode, stdout, stderr = 1, "", "ERROR: Please run 'az login' to setup account.\n"

    with pytest.raises(ValidationError, match=r"^subscription_id: not set, and the Azure CLI has no default subscription .*az login"):
        _auth.cli_default_subscription("/bin/az", run=lambda cmd, **kw: Done())


def test_auto_uses_the_kind_of_credential_the_winning_source_gives():
    chosen = plan({"tenant": "t", "client_id": "c", "x509_certificate_path": "/p/opt.pem"}, SP_ENV)
    assert (chosen.source, chosen.method) == ("options", "certificate")
    chosen = plan({"profile": "default"}, SP_ENV)
    assert (chosen.source, chosen.method) == ("profile", "certificate")


def test_env_ignores_a_named_profile():
    chosen = plan({"auth_source": "env", "profile": "ci"}, SP_ENV)
    assert (chosen.method, chosen.settings["client_id"], chosen.settings["secret"]) == ("client_secret", "c-env", "s-env")


@pytest.mark.parametrize("source", ["env", "credential_file"])
def test_a_certificate_option_wins_over_the_source_secret(source):
    chosen = plan({"auth_source": source, "tenant": "t", "client_id": "c", "x509_certificate_path": "/p/opt.pem"}, SP_ENV)
    assert chosen.method == "certificate"


class _Answer:
    def __init__(self, token):
        self.token = token


class _Credential:
    """A credential that answers, fails, or never answers (until released)."""

    def __init__(self, behaviour, release):
        self.behaviour, self.release = behaviour, release

    def get_token(self, scope):
        if self.behaviour == "hang":
            self.release.wait(30)
        if isinstance(self.behaviour, Exception):
            raise self.behaviour
        return _Answer("token-for-" + scope)


def test_a_token_endpoint_that_never_answers_is_cut_off_and_the_credential_replaced():
    import threading

    release, made = threading.Event(), []
    behaviours = ["hang", "ok"]

    def factory():
        made.append(_Credential(behaviours.pop(0), release))
        return made[-1]

    tokens = _auth.TokenSource(factory, "scope")
    try:
        with pytest.raises(_auth.ArmError) as caught:
            tokens.token(within=0.2)
        assert caught.value.kind == "transport" and caught.value.transient and "did not answer within 0.2 s" in str(caught.value)
        assert tokens.token(within=5) == "token-for-scope" and len(made) == 2
    finally:
        release.set()


@pytest.mark.parametrize("status, transient", [(503, True), (429, True), (500, True), (400, False), (401, False)])
def test_a_token_endpoint_error_keeps_its_status_so_a_burst_is_transient(status, transient):
    from azure.core.exceptions import ClientAuthenticationError

    class Response:
        status_code = status
        reason = "Reason"

        @staticmethod
        def text():
            return ""

    error = _auth.token_error(ClientAuthenticationError(message="Entra said no", response=Response()), "scope")
    assert (error.kind, error.status, error.transient) == ("auth", status, transient)
    assert "could not get a token for scope: Entra said no" in str(error)


def test_a_token_endpoint_that_cannot_be_reached_is_a_transient_transport_error():
    from azure.core.exceptions import ServiceRequestError

    error = _auth.token_error(ServiceRequestError("Connection refused"), "scope")
    assert (error.kind, error.transient) == ("transport", True)


def test_a_credential_that_is_refused_for_good_is_not_transient():
    from azure.core.exceptions import ClientAuthenticationError

    error = _auth.token_error(ClientAuthenticationError(message="AADSTS7000215: Invalid client secret provided."), "scope")
    assert (error.kind, error.transient) == ("auth", False)


def test_an_msal_http_error_wrapped_without_its_response_keeps_its_status():
    from azure.core.exceptions import ClientAuthenticationError

    with pytest.raises(ClientAuthenticationError) as caught:
        try:
            raise RuntimeError("HTTP Error: 503")
        except RuntimeError as inner:
            raise ClientAuthenticationError(message="Authentication failed: %s" % inner) from inner
    error = _auth.token_error(caught.value, "scope")
    assert (error.kind, error.status, error.transient) == ("auth", 503, True)


class _Timed:
    """A token that says when it expires, as azure-core's AccessToken does."""

    def __init__(self, token, expires_on):
        self.token, self.expires_on = token, expires_on


class _Counting:
    def __init__(self, expires_on):
        self.expires_on, self.asked = expires_on, 0

    def get_token(self, scope):
        self.asked += 1
        return _Timed("token-%d" % self.asked, self.expires_on)


def test_a_token_is_kept_until_the_refresh_margin_before_it_expires():
    now = [1000.0]
    credential = _Counting(expires_on=1000.0 + 3600)
    tokens = _auth.TokenSource(lambda: credential, "scope", now=lambda: now[0])
    assert [tokens.token(within=5) for _count in range(50)] == ["token-1"] * 50 and credential.asked == 1
    now[0] = 1000.0 + 3600 - _auth.TOKEN_REFRESH_MARGIN - 1
    assert tokens.token(within=5) == "token-1"
    now[0] += 1  # within the margin: asked again, before Resource Manager could refuse it
    assert tokens.token(within=5) == "token-2" and credential.asked == 2


def test_a_token_without_an_expiry_or_about_to_expire_is_asked_for_every_time():
    for answer in (_Answer("plain"), _Timed("short", 1000.0 + _auth.TOKEN_REFRESH_MARGIN - 1)):
        asked = []

        class Credential:
            @staticmethod
            def get_token(scope, answer=answer):
                asked.append(scope)
                return answer

        tokens = _auth.TokenSource(Credential, "scope", now=lambda: 1000.0)
        assert [tokens.token(within=5) for _count in range(3)] == [answer.token] * 3 and len(asked) == 3


def test_renewing_after_a_401_drops_the_kept_token_and_the_credential():
    made = []

    def factory():
        made.append(_Counting(expires_on=10 ** 10))
        return made[-1]

    tokens = _auth.TokenSource(factory, "scope")
    assert tokens.token(within=5) == "token-1"
    assert tokens.renew(within=5) == "token-1" and len(made) == 2 and made[1].asked == 1  # the new credential's first token
    assert tokens.token(within=5) == "token-1" and made[1].asked == 1  # kept again


def test_threads_of_a_fan_out_ask_the_credential_once():
    import threading

    gate = threading.Event()

    class Slow(_Counting):
        def get_token(self, scope):
            gate.wait(5)
            return super().get_token(scope)

    credential = Slow(expires_on=10 ** 10)
    tokens = _auth.TokenSource(lambda: credential, "scope")
    got = []
    threads = [threading.Thread(target=lambda: got.append(tokens.token(within=10))) for _count in range(16)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(10)
    assert got == ["token-1"] * 16 and credential.asked == 1
