# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""A handle on an emulator process: start it, wait until ready, drive it, stop it.

Used by the pytest plugin, the demo runner and the benchmarks; needs requests, not pytest.
"""

import json
import os
import signal
import subprocess
import sys
import time

import requests

SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
DEMO = os.path.join(SCENARIOS, "demo.yaml")


class Secret(str):
    """A string that never shows itself in reprs (pytest assertion messages use repr)."""

    def __repr__(self):
        return "'***'"


class _Session(requests.Session):
    """A session whose `verify` wins over REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment."""

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        kwargs.setdefault("verify", self.verify)
        return super().request(method, url, *args, **kwargs)


class EmulatorStartError(RuntimeError):
    """The emulator did not become ready."""


class Emulator:
    """A running emulator process and helpers to drive it."""

    def __init__(self, scenario_path, state_dir, timeout=30.0, extra_args=()):
        self.scenario_path = scenario_path
        self.state_dir = state_dir
        self.ready_file = os.path.join(state_dir, "ready.json")
        self.timeout = timeout
        self.extra_args = list(extra_args)
        self.process = None
        self.info = {}
        self._session = None
        self._port = 0
        self._msi_port = 0
        self._start_count = 0

    def __repr__(self):
        return "<Emulator %s pid=%s>" % (self.info.get("base_url"), self.info.get("pid"))

    # -- process control ----------------------------------------------------------------------

    def start(self):
        if os.path.exists(self.ready_file):
            os.remove(self.ready_file)
        self._start_count += 1
        out = open(os.path.join(self.state_dir, "stdout-%d.log" % self._start_count), "wb")  # pylint: disable=consider-using-with
        err = open(os.path.join(self.state_dir, "stderr-%d.log" % self._start_count), "wb")  # pylint: disable=consider-using-with
        cmd = [sys.executable, "-m", "upgradegate_emulator", "--scenario", self.scenario_path, "--state-dir", self.state_dir,
               "--ready-file", self.ready_file, "--port", str(self._port), "--msi-http-port", str(self._msi_port)]
        env = dict(os.environ)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        self.process = subprocess.Popen(cmd + self.extra_args, stdout=out, stderr=err, env=env)  # pylint: disable=consider-using-with
        out.close()
        err.close()
        self._wait_ready()
        return self

    def _stderr(self):
        path = os.path.join(self.state_dir, "stderr-%d.log" % self._start_count)
        with open(path, "r", encoding="utf-8", errors="replace") as handle:
            return handle.read()[-4000:]

    def _wait_ready(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmulatorStartError("emulator exited with code %s before it was ready:\n%s"
                                         % (self.process.returncode, self._stderr()))
            if os.path.exists(self.ready_file):
                with open(self.ready_file, "r", encoding="utf-8") as handle:
                    self.info = json.load(handle)
                self._port, self._msi_port = self.info["port"], self.info["msi_http_port"]
                self._session = None
                return
            time.sleep(0.02)
        self.stop()
        raise EmulatorStartError("emulator not ready after %.0f s:\n%s" % (self.timeout, self._stderr()))

    def stop(self, timeout=10.0):
        """SIGTERM, then SIGKILL; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout)
        finally:
            if self._session is not None:
                self._session.close()
                self._session = None

    def restart(self):
        """Stop and start again on the same port, with the same state dir (same CA, same signing key)."""
        self.stop()
        return self.start()

    # -- connection facts ---------------------------------------------------------------------

    @property
    def base_url(self):
        return self.info["base_url"]

    @property
    def port(self):
        return self.info["port"]

    @property
    def ca_path(self):
        return self.info["ca_path"]

    @property
    def tenant_id(self):
        return self.info["tenant_id"]

    @property
    def subscription_id(self):
        return self.info["subscription_id"]

    @property
    def scenario(self):
        from .scenario import load  # pylint: disable=import-outside-toplevel
        return load(self.scenario_path)

    def _clients(self):
        tenant = self.scenario["tenants"][0]
        return tenant["clients"]

    def client(self, kind="secret"):
        """The first client of the first tenant that has a `kind` credential (secret, certificate, federated_token)."""
        key = {"secret": "secret", "certificate": "certificate", "workload_identity": "federated_token",
               "federated_token": "federated_token"}[kind]
        for client in self._clients():
            if client.get(key):
                return client
        raise LookupError("the scenario declares no client with a %s" % kind)

    @property
    def client_id(self):
        return self.client("secret")["client_id"]

    @property
    def client_secret(self):
        return Secret(self.client("secret")["secret"])

    @property
    def certificate_path(self):
        return self.info["client_certificates"][self.client("certificate")["client_id"]]

    @property
    def federated_token_file(self):
        return self.info["federated_token_files"][self.client("federated_token")["client_id"]]

    @property
    def identity_endpoint(self):
        return self.info["identity_endpoint_http"]

    @property
    def identity_header(self):
        return Secret(self.info["identity_header"])

    def env(self, credential="secret"):
        """Environment variables pointing azure-identity and the collection at this emulator."""
        env = {
            "REQUESTS_CA_BUNDLE": self.ca_path,
            "AZURE_AUTHORITY_HOST": self.base_url,
            "AZURE_RESOURCE_MANAGER_URL": self.base_url,
            "AZURE_DISABLE_INSTANCE_DISCOVERY": "true",
            "AZURE_TENANT": self.tenant_id,
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_SUBSCRIPTION_ID": self.subscription_id,
        }
        if credential == "secret":
            env.update(AZURE_CLIENT_ID=self.client_id, AZURE_SECRET=self.client_secret, AZURE_CLIENT_SECRET=self.client_secret)
        elif credential == "certificate":
            env.update(AZURE_CLIENT_ID=self.client("certificate")["client_id"], AZURE_X509_CERTIFICATE_PATH=self.certificate_path,
                       AZURE_CLIENT_CERTIFICATE_PATH=self.certificate_path)
        elif credential == "workload_identity":
            env.update(AZURE_CLIENT_ID=self.client("federated_token")["client_id"],
                       AZURE_FEDERATED_TOKEN_FILE=self.federated_token_file)
        elif credential == "msi":
            env.update(IDENTITY_ENDPOINT=self.identity_endpoint, IDENTITY_HEADER=self.identity_header)
        else:
            raise ValueError("credential must be secret, certificate, workload_identity or msi")
        return env

    # -- HTTP helpers -------------------------------------------------------------------------

    @property
    def session(self):
        if self._session is None:
            self._session = _Session()
            self._session.verify = self.ca_path
        return self._session

    def url(self, path):
        return self.base_url + path

    def token(self, client_id=None, secret=None, scope=None, tenant=None):
        """An access token obtained with the client-secret flow (raises on failure)."""
        resp = self.session.post(self.url("/%s/oauth2/v2.0/token" % (tenant or self.tenant_id)), data={
            "grant_type": "client_credentials", "client_id": client_id or self.client_id,
            "client_secret": secret or self.client_secret, "scope": scope or (self.base_url + "/.default")})
        resp.raise_for_status()
        return Secret(resp.json()["access_token"])

    def _inspect(self, method, path, **kwargs):
        resp = self.session.request(method, self.url("/_emulator" + path), **kwargs)
        resp.raise_for_status()
        return resp.json()

    def requests_log(self, path=None, since=0):
        params = {"since": since}
        if path:
            params["path"] = path
        return self._inspect("GET", "/requests", params=params)["requests"]

    def reset_log(self):
        self._inspect("DELETE", "/requests")

    def counters(self):
        return self._inspect("GET", "/counters")

    def add_fault(self, kind, **spec):
        """Add a fault rule (see docs/emulator.md); returns it with its id."""
        spec["kind"] = kind
        return self._inspect("POST", "/faults", json=spec)["faults"][0]

    def faults(self):
        return self._inspect("GET", "/faults")["faults"]

    def remove_fault(self, fault_id):
        return self._inspect("DELETE", "/faults/%s" % fault_id)

    def clear_faults(self):
        self._inspect("DELETE", "/faults")

    def advance(self, seconds):
        return self._inspect("POST", "/clock", json={"advance": seconds})

    def freeze(self):
        return self._inspect("POST", "/clock", json={"freeze": True})

    def resume(self):
        return self._inspect("POST", "/clock", json={"resume": True})

    def clock(self):
        return self._inspect("GET", "/clock")

    def state(self):
        return self._inspect("GET", "/state")

    def gates(self):
        """Every gate the fleets' runs have reached: Azure's gate bodies, each with its update_run."""
        return [gate for fleet in self._inspect("GET", "/gates")["fleets"] for gate in fleet["gates"]]

    def approve_gate(self, name):
        """Approve a gate as a person in the portal would (no token, not in the request log); returns the gate's body."""
        return self._inspect("POST", "/gates/%s/approve" % name)

    def reset_rate_limits(self):
        """Fill every throttling bucket again and zero Compute's counters."""
        self._inspect("DELETE", "/rate_limits")
