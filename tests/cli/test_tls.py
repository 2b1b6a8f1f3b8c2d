"""TLS settings end to end: an HTTPS server with a self-signed certificate, trusted three ways or not."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import one_line_error, run_cli
from tests.support.bad_server import BadServer
from tui.cli.context import DeferredTrustContext
from tui.services.tokens import StoredTokens, TokenStore

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(https URL, its certificate): a self-signed cert for 127.0.0.1 that no system store trusts."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with BadServer("ok-empty") as bad:
        bad.httpd.socket = context.wrap_socket(bad.httpd.socket, server_side=True)
        yield bad.url.replace("http://", "https://"), cert


def jobs_list(url: str, config_dir: Path, config: str) -> subprocess.CompletedProcess[str]:
    TokenStore(config_dir).save(StoredTokens(url, "victim", "a.b.c", "d.e.f"))
    (config_dir / "config.toml").write_text(config)
    return run_cli("--server", url, "jobs", "list", config_dir=config_dir, env={"SSL_CERT_FILE": ""})


def test_untrusted_certificate_is_exit_5(https_server: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = https_server
    result = jobs_list(url, tmp_path, "")
    assert result.returncode == 5
    assert "TLS handshake failed" in one_line_error(result)


def test_ca_bundle_trusts_it(https_server: tuple[str, Path], tmp_path: Path) -> None:
    url, cert = https_server
    result = jobs_list(url, tmp_path, f'ca_bundle = "{cert}"\n')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "No jobs."


def test_verify_false_skips_the_check(https_server: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = https_server
    result = jobs_list(url, tmp_path, "verify = false\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "No jobs."


def test_the_ca_bundle_is_read_at_the_first_handshake_with_every_check_on() -> None:
    """Start-up skips the 30-60 ms read of the CA bundle (an http:// server never needs it); the first TLS
    handshake reads it, and the checks are those of ssl.create_default_context (the tests above: an
    untrusted certificate is refused, a ca_bundle is trusted)."""
    context = DeferredTrustContext()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert not context.trust_loaded and not context.get_ca_certs()
    context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.org")
    assert context.trust_loaded and context.get_ca_certs()
