# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Connection and authentication options shared by every module of upgradegate.azure."""

    DOCUMENTATION = r"""
options:
  auth_source:
    description:
      - Where the credentials come from.
      - V(auto) tries, in order, credentials given as module options (O(secret) or O(x509_certificate_path)
        with O(tenant) and O(client_id)); the named O(profile); environment variables (a client secret, a certificate,
        or a federated token through E(AZURE_FEDERATED_TOKEN_FILE)); the Azure CLI when C(az) is on E(PATH),
        falling back to managed identity; managed identity.
      - V(env) uses options and environment variables only; V(credential_file) uses O(profile) (default section
        C(default)); V(cli) the account the Azure CLI is logged in with; V(msi) a managed identity (O(client_id)
        selects a user-assigned one); V(workload_identity) the federated token named by E(AZURE_FEDERATED_TOKEN_FILE)
        with O(tenant) and O(client_id).
      - Falls back to E(ANSIBLE_AZURE_AUTH_SOURCE).
    type: str
    default: auto
    choices: [auto, env, credential_file, cli, msi, workload_identity]
  subscription_id:
    description:
      - The subscription to read from.
      - Taken, first found, from this option, the profile's C(subscription_id), E(AZURE_SUBSCRIPTION_ID), and with
        the Azure CLI its default subscription. Required in the end.
    type: str
  tenant:
    description:
      - The Microsoft Entra tenant (directory) id or domain of the service principal.
      - Falls back to the profile, then E(AZURE_TENANT), then E(AZURE_TENANT_ID).
    type: str
  client_id:
    description:
      - The application (client) id of the service principal, or of a user-assigned managed identity.
      - Falls back to the profile, then E(AZURE_CLIENT_ID).
    type: str
  secret:
    description:
      - The client secret of the service principal.
      - Falls back to the profile, then E(AZURE_SECRET), then E(AZURE_CLIENT_SECRET).
    type: str
  x509_certificate_path:
    description:
      - Path to a PEM file holding the service principal's certificate and its private key.
      - Falls back to the profile, then E(AZURE_X509_CERTIFICATE_PATH), then E(AZURE_CLIENT_CERTIFICATE_PATH).
    type: path
  profile:
    description:
      - A section of the credentials file C(~/.azure/credentials) (or C(credentials) in E(AZURE_CONFIG_DIR)),
        an INI file whose keys are named like these options, for example C(subscription_id), C(client_id),
        C(secret), C(tenant), C(cloud_environment).
      - An option given to the module wins over the profile, and the profile wins over environment variables.
      - Falls back to E(AZURE_PROFILE).
    type: str
  cloud_environment:
    description:
      - The Azure cloud. V(AzurePublicCloud) is another name for V(AzureCloud).
      - Falls back to the profile, then E(AZURE_CLOUD_ENVIRONMENT); V(AzureCloud) when not set anywhere.
    type: str
    choices: [AzureChinaCloud, AzureCloud, AzureUSGovernment, AzurePublicCloud]
  resource_manager_url:
    description:
      - Overrides the cloud's Resource Manager endpoint, for Azure Stack Hub, private clouds or the emulator.
      - The token scope is then this URL followed by C(/.default).
      - Falls back to the profile, then E(AZURE_RESOURCE_MANAGER_URL).
    type: str
  authority_host:
    description:
      - Overrides the cloud's Microsoft Entra authority, for example C(https://login.microsoftonline.us).
      - Falls back to the profile, then E(AZURE_AUTHORITY_HOST).
    type: str
  disable_instance_discovery:
    description:
      - Skip Microsoft Entra instance discovery, for authorities outside the public clouds (Azure Stack Hub,
        private clouds, the emulator).
      - Falls back to E(AZURE_DISABLE_INSTANCE_DISCOVERY).
    type: bool
    default: false
  validate_certs:
    description:
      - Verify the TLS certificates of Resource Manager and of the token endpoints.
      - Leave this on; to trust a private CA, use O(ca_path) instead.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM bundle of CA certificates to trust, for Resource Manager and token requests alike.
      - Falls back to E(REQUESTS_CA_BUNDLE).
    type: path
  request_timeout:
    description:
      - Seconds that each HTTP request may take in all, getting its token included, from connecting to the last byte of
        the body. A server that sends its answer a few bytes at a time cannot stretch it.
      - It also sets the overall bound of a module that has no O(upgradegate.azure.wait_for_upgrade#module:timeout) of its
        own, see the notes.
    type: float
    default: 30
notes:
  - Every option that holds a secret is masked in logs and results; tenant, client and subscription ids are not secrets.
  - Requests that Azure throttles (HTTP 429) wait as its C(Retry-After) asks (one hour at most); transient failures
    (HTTP 408, 429, 500, 502, 503, 504 from Resource Manager or from the token endpoint, dropped or reset connections,
    bodies cut short or not in the encoding they claim, timeouts) are retried with capped exponential backoff.
  - Overall bound. M(upgradegate.azure.wait_for_upgrade) ends within its O(upgradegate.azure.wait_for_upgrade#module:timeout)
    plus O(request_timeout). Other modules start no retry and no wait for throttling later than ten times
    O(request_timeout) (300 seconds by default) after they began, and fail with the last error instead.
  - A listing (C(nextLink) pages) returns each resource once even when pages repeat it, ends at a page that brings
    nothing new, and fails after 1000 pages.
requirements:
  - python >= 3.9
  - requests
  - azure-identity
"""
