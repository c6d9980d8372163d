#!/usr/bin/env python3
"""A real SMTP server for usaged's tests (aiosmtpd).

Listens on 127.0.0.1 at a free port, writes the port to DIR/port once it
accepts connections, and stores every mail it accepts as DIR/mail-NNNN.json:
envelope sender and recipients, the message text, whether the session was
encrypted and which user authenticated. Runs until it is killed.

  smtp_sink.py DIR [--mode plain|starttls|ssl] [--cert PEM --key PEM] [--auth USER:PASSWORD]
"""
import argparse
import asyncio
import itertools
import json
import os
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        encrypted = (server._tls_protocol is not None
                     or server.transport.get_extra_info("ssl_object") is not None)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
            "tls": encrypted,
            "auth_user": session.auth_data if session.authenticated else None,
        }
        tmp = os.path.join(self.directory, f".mail-{n}.tmp")
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.directory, f"mail-{n:04d}.json"))
        return "250 OK"


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        return AuthResult(success=ok, auth_data=user if ok else None)
    return authenticate


async def serve(args):
    loop = asyncio.get_running_loop()
    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    authenticator = None
    if args.auth:
        user, password = args.auth.split(":", 1)
        authenticator = make_authenticator(user, password)
    recorder = Recorder(args.dir)

    def protocol():
        return SMTP(recorder, hostname="sink.test", loop=loop,
                    tls_context=context if args.mode == "starttls" else None,
                    require_starttls=args.mode == "starttls",
                    authenticator=authenticator, auth_required=authenticator is not None,
                    auth_require_tls=args.mode == "starttls")

    server = await loop.create_server(protocol, "127.0.0.1", 0,
                                      ssl=context if args.mode == "ssl" else None)
    port = server.sockets[0].getsockname()[1]
    tmp = os.path.join(args.dir, ".port.tmp")
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, os.path.join(args.dir, "port"))
    await asyncio.Event().wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--mode", choices=["plain", "starttls", "ssl"], default="plain")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--auth")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
