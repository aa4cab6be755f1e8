"""A real SMTP server on 127.0.0.1 for the smtp plugin's tests (Debian's
python3-aiosmtpd): stores every message it accepts and, as the test asks,
rejects chosen recipients with 550, answers 421 to the first DATA
commands, requires AUTH PLAIN with a password, and offers STARTTLS with a
self-signed certificate, or implicit TLS, or no TLS at all."""
import email
import email.policy
import os
import socket
import ssl
import subprocess
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_cert(directory):
    """A self-signed certificate for 127.0.0.1; (cert, key) paths.  The
    cert is also the CA file a client trusts it with."""
    cert = os.path.join(directory, "smtp-cert.pem")
    key = os.path.join(directory, "smtp-key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key


class Handler:
    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, options):
        if address in self.server.reject:
            return "550 5.1.1 <%s>: recipient rejected" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        srv = self.server
        tls = smtp.transport.get_extra_info("ssl_object") is not None
        rec = {"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
               "data": envelope.original_content or envelope.content,
               "tls": tls}
        rec["message"] = email.message_from_bytes(
            rec["data"], policy=email.policy.default)
        with srv.lock:
            if srv.fail_first > 0:
                srv.fail_first -= 1
                srv.refused.append(rec)
                return "421 4.3.0 try again later"
            srv.messages.append(rec)
        return "250 OK queued"


class SMTPServer:
    """tls: None, "starttls" or "implicit"; password: require AUTH with
    user "contractd" and this password."""

    def __init__(self, workdir, tls=None, password=None):
        self.messages = []
        self.refused = []       # DATA answered 421
        self.reject = set()
        self.fail_first = 0
        self.lock = threading.Lock()
        self.port = free_port()
        self.cafile = None
        kwargs = {}
        if tls is not None:
            self.cafile, key = make_cert(workdir)
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(self.cafile, key)
            kwargs["ssl_context" if tls == "implicit" else
                   "tls_context"] = ctx
        if password is not None:
            kwargs.update(authenticator=self.authenticator(password),
                          auth_required=True,
                          auth_require_tls=tls is not None)
        self.controller = Controller(Handler(self), hostname="127.0.0.1",
                                     port=self.port,
                                     server_hostname="127.0.0.1", **kwargs)
        self.controller.start()
        scheme = "smtps" if tls == "implicit" else "smtp"
        self.url = "%s://127.0.0.1:%d" % (scheme, self.port)

    @staticmethod
    def authenticator(password):
        def check(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and
                  data.login == b"contractd" and
                  data.password == password.encode())
            return AuthResult(success=ok, handled=False)
        return check

    def count(self):
        with self.lock:
            return len(self.messages)

    def to(self, address):
        """The messages accepted for address."""
        with self.lock:
            return [m for m in self.messages if address in m["to"]]

    def close(self):
        self.controller.stop()
