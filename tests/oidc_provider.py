"""A real OpenID Connect provider on 127.0.0.1, for the single sign-on tests: a small Flask app
built from Authlib's provider pieces (AuthorizationServer, the authorization code grant with
the OpenIDCode extension), with a discovery document, a JWKS and RS256-signed identity tokens.

Its sign-in page asks only for an email (the test is the person): whoever types an email is
vouched for as that email, verified unless listed in `unverified`. Streamlit's own st.login
talks to it exactly as to Microsoft Entra ID or Google. `stop()` and `start()` again on the
same port make it unreachable and bring it back.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from html import escape

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.models import ClientMixin
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "golden-thread"
CLIENT_SECRET = "golden-thread-test-secret-" + "s" * 20


@dataclass
class Person:
    email: str

    def get_user_id(self) -> str:
        return "sub-" + self.email.lower()


@dataclass
class Client(ClientMixin):
    redirect_uri: str

    def get_client_id(self):
        return CLIENT_ID

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    redirect_uri: str
    scope: str
    nonce: str | None
    person: Person
    made: float = field(default_factory=time.time)

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return int(self.made)

    def get_acr(self):
        return None

    def get_amr(self):
        return None

    def is_expired(self):
        return time.time() - self.made > 300


class Provider:
    def __init__(self, redirect_uri: str = "", port: int | None = None) -> None:
        self.port = port or _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client = Client(redirect_uri)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.codes: dict[str, Code] = {}
        self.unverified: set[str] = set()
        self.signed_in: list[str] = []  # every email vouched for, in order
        self._server = None
        self._thread: threading.Thread | None = None
        self.app = self._make_app()

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    # --- the Flask app ------------------------------------------------------------------

    def _make_app(self) -> Flask:
        provider = self
        app = Flask("test_oidc_provider")
        app.config["OAUTH2_ERROR_URIS"] = []

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                provider.codes[code] = Code(
                    code=code,
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.payload.scope,
                    nonce=request.payload.data.get("nonce"),
                    person=request.user,
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                return found if found and not found.is_expired() else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class IdentityTokens(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [CLIENT_ID]}

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "test-key"}

            def generate_user_info(self, user, scope):
                email = user.email
                return UserInfo(
                    sub=user.get_user_id(),
                    name=email.split("@")[0],
                    email=email,
                    email_verified=email.lower() not in provider.unverified,
                )

        server = AuthorizationServer(
            app,
            query_client=lambda client_id: provider.client if client_id == CLIENT_ID else None,
            save_token=lambda token, request: None,
        )
        server.register_grant(CodeGrant, [IdentityTokens(require_nonce=False)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return {
                "issuer": provider.issuer,
                "authorization_endpoint": f"{provider.issuer}/authorize",
                "token_endpoint": f"{provider.issuer}/token",
                "jwks_uri": f"{provider.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "claims_supported": ["sub", "email", "email_verified", "name"],
            }

        @app.get("/jwks")
        def jwks():
            return {"keys": [provider.key.as_dict(private=False)]}

        @app.get("/authorize")
        def sign_in_page():
            hidden = "".join(
                f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
                for k, v in request.args.items()
            )
            return (
                "<!doctype html><title>Test sign-in</title><h1>Test sign-in</h1>"
                f'<form method="post" action="/authorize">{hidden}'
                '<label>Email <input name="email" type="email" autocomplete="off"></label>'
                '<button type="submit">Continue</button></form>'
            )

        @app.post("/authorize")
        def vouch():
            person = Person(request.form.get("email", ""))
            provider.signed_in.append(person.email)
            grant = server.get_consent_grant(end_user=person)
            return server.create_authorization_response(grant_user=person, grant=grant)

        @app.post("/token")
        def token():
            return server.create_token_response()

        return app

    # --- serving ------------------------------------------------------------------------

    def start(self) -> Provider:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
