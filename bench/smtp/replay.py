"""The baseline of bench/smtp/run.sh: Python's smtplib sends the messages
sink.py --save captured from the daemon (DIR/N.eml with DIR/N.env) to
127.0.0.1:PORT over one connection, reused for every message (EHLO once,
then MAIL, RCPT, DATA for each, QUIT at the end).  Reads every file first;
times from the connect to the QUIT's answer.  Prints "N SECONDS".

    replay.py DIR PORT
"""
import os
import smtplib
import sys
import time


def load(directory):
    msgs = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".eml"):
            continue
        base = os.path.join(directory, name[:-4])
        with open(base + ".eml", "rb") as f:
            data = f.read()
        with open(base + ".env") as f:
            sender, rcpts = f.read().split("\n")[:2]
        msgs.append((sender, rcpts.split(), data))
    return msgs


def main():
    msgs = load(sys.argv[1])
    t0 = time.perf_counter()
    s = smtplib.SMTP("127.0.0.1", int(sys.argv[2]), local_hostname="bench")
    s.ehlo()
    for sender, rcpts, data in msgs:
        refused = s.sendmail(sender, rcpts, data)
        if refused:
            sys.exit("refused: %r" % refused)
    s.quit()
    print("%d %.6f" % (len(msgs), time.perf_counter() - t0))


main()
