"""An SMTP sink on 127.0.0.1 for bench/smtp/run.sh (Debian's
python3-aiosmtpd): accepts every message; with --save DIR also writes each
one to DIR (N.eml, its bytes as received, and N.env, "from\\nto\\n").
Writes its port to PORTFILE once it listens; prints the same counters as
Postfix's smtp-sink -c ("sess=S quit=Q mesg=M\\r") after each message and
when SIGTERM ends it.

    sink.py PORTFILE [--save DIR]
"""
import asyncio
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, save):
        self.save = save
        self.msgs = 0
        self.sessions = 0
        self.quits = 0

    async def handle_QUIT(self, server, session, envelope):
        self.quits += 1
        return "221 Bye"

    async def handle_DATA(self, server, session, envelope):
        if self.save is not None:
            base = os.path.join(self.save, "%06d" % self.msgs)
            with open(base + ".eml", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            with open(base + ".env", "w") as f:
                f.write("%s\n%s\n" % (envelope.mail_from,
                                      " ".join(envelope.rcpt_tos)))
        self.msgs += 1
        self.counters()
        return "250 OK"

    def counters(self):
        sys.stdout.write("sess=%d quit=%d mesg=%d\r" % (
            self.sessions, self.quits, self.msgs))
        sys.stdout.flush()


def main():
    portfile = sys.argv[1]
    save = sys.argv[3] if sys.argv[2:3] == ["--save"] else None
    handler = Handler(save)
    loop = asyncio.new_event_loop()

    def factory():
        handler.sessions += 1
        return SMTP(handler, hostname="127.0.0.1", loop=loop)

    server = loop.run_until_complete(
        loop.create_server(factory, host="127.0.0.1", port=0))
    port = server.sockets[0].getsockname()[1]
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    handler.counters()


main()
