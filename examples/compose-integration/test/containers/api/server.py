# A tiny HTTP API: /health, and /jobs which hands out job numbers and counts acknowledgements.
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

state = {"handed_out": 0, "acked": 0}


class Handler(BaseHTTPRequestHandler):
    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            return self.reply(200, {"status": "ok"})
        if self.path == "/job":
            state["handed_out"] += 1
            return self.reply(200, {"job": state["handed_out"]})
        if self.path == "/ack":
            state["acked"] += 1
            return self.reply(200, {"acked": state["acked"]})
        if self.path == "/stats":
            return self.reply(200, state)
        return self.reply(404, {"error": "not found"})

    def log_message(self, fmt, *args):
        print("api:", fmt % args, flush=True)


print("api listening on", os.environ.get("PORT", "8000"), flush=True)
ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8000"))), Handler).serve_forever()
