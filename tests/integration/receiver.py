"""A real HTTP receiver on 127.0.0.1 for webhook tests: records every
request and answers with whatever the test scripts."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        self.script = []        # (status, headers) for the next requests
        self.default = (200, {})
        self.delay = 0.0
        self.hang = False
        recv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                if recv.hang:
                    time.sleep(30)
                    return
                if recv.delay:
                    time.sleep(recv.delay)
                with recv.lock:
                    recv.requests.append({
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in
                                    self.headers.items()},
                        "body": body,
                        "at": time.time()})
                    status, headers = (recv.script.pop(0) if recv.script
                                       else recv.default)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d/hook" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def bodies(self):
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests]

    def count(self):
        with self.lock:
            return len(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
