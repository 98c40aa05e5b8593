#!/usr/bin/env python3
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""A Bot API fake for the bot's tests: what telegram-test-api does not emulate.

    telegram_bot_api.py --port PORT

Real Bot API behaviour, per token (each test uses its own token, so tests sharing one server
never see each other's chats):

  getUpdates       offset confirms every update below it (unconfirmed ones come back: at-least-
                   once delivery), timeout is a real long poll (at most 50 s), a second poller
                   ends the first with 409 Conflict
  sendMessage      Telegram HTML is checked (only Telegram's tags, balanced; only &lt; &gt;
                   &amp; &quot; and numeric entities) and so is the length: at most 4096
                   characters after parsing, counted in UTF-16 units
  editMessageText  returns the Message; identical content is 400 "message is not modified"
  editMessageReplyMarkup, answerCallbackQuery (unknown or twice answered ids are 400), getMe
  getFile          + GET /file/bot<token>/<file_path>; over 20 MB is 400 "file is too big"
  sendDocument     multipart/form-data upload, 50 MB at most
  tokens starting with "0:" are rejected with 401 Unauthorized

Test control (not Telegram's API; JSON bodies; every route takes "token"):

  POST /test/message   {token, user_id, chat_id, chat_type?, text? | document?:
                        {file_name, content_base64, declared_size?}}    -> {update_id}
  POST /test/callback  {token, user_id, chat_id, message_id, data}      -> {update_id, id}
  POST /test/fault     {token, method, error_code, description?, retry_after?, count?}
                       method "download" with error_code 0 and "lie_size": true makes getFile
                       announce one byte more than the file has
  POST /test/chaos     {token, seed?, methods?, p_429?, retry_after?, p_500?, p_drop?, p_slow?,
                        slow_ms?}  random faults on every later Bot API call (of `methods`, by
                       default all), drawn before the call has any effect: 429 with retry_after,
                       500, the connection closed without an answer, or an answer delayed by
                       slow_ms (then carried out normally). {token} alone turns them off
  GET  /test/chaos?token=T                how many faults of each kind were injected
  GET  /test/journal?token=T&since=N      every message the bot sent, edited or answered, in
                       order: {next, entries: [{seq, method, chat_id, message_id, text, ...}]}
  GET  /test/messages?token=T&chat_id=C   the bot's messages, edits applied
  GET  /test/answers?token=T              answered callback queries
  GET  /test/calls?token=T                every Bot API call: {method, t, status}
  GET  /test/state?token=T                {offset, pending}
  GET  /test/health
"""
import argparse
import base64
import collections
import html.parser
import json
import random
import re
import sys
import threading
import time
import urllib.parse
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_UPLOAD = 50 * 1024 * 1024
MAX_POLL = 50

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
                "pre", "blockquote", "tg-emoji"}
NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}


class BadHtml(Exception):
    pass


class TelegramHtml(html.parser.HTMLParser):
    """Checks Telegram-HTML and counts the visible characters as Telegram does."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.stack = []
        self.units = 0

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            raise BadHtml(f"Unsupported start tag \"{tag}\"")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            raise BadHtml(f"Can't find end tag corresponding to start tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data):
        if "<" in data or ">" in data:
            raise BadHtml("Unexpected end tag")
        self.units += len(data.encode("utf-16-le")) // 2

    def handle_entityref(self, name):
        if name not in NAMED_ENTITIES:
            raise BadHtml(f"Unsupported entity \"{name}\"")
        self.units += 1

    def handle_charref(self, name):
        self.units += 1


def visible_units(text, parse_mode):
    if parse_mode != "HTML":
        return len(text.encode("utf-16-le")) // 2
    if re.search(r"&(?![a-zA-Z]+;|#[0-9]+;|#x[0-9a-fA-F]+;)", text):
        raise BadHtml("Unsupported entity")
    p = TelegramHtml()
    p.feed(text)
    p.close()
    if p.stack:
        raise BadHtml(f"Can't find end tag corresponding to start tag \"{p.stack[-1]}\"")
    return p.units


class ApiError(Exception):
    def __init__(self, code, description, retry_after=None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class Bot:
    """Everything the server knows about one token."""

    def __init__(self):
        self.cond = threading.Condition()
        self.updates = []        # unconfirmed updates, oldest first
        self.next_update = 1
        self.offset = 0          # highest offset a getUpdates call confirmed
        self.poll_generation = 0
        self.messages = collections.OrderedDict()
        self.next_message = 1
        self.files = {}          # file_id -> dict(data, name, path, lie)
        self.next_file = 1
        self.callbacks = {}      # id -> answered?
        self.answers = []
        self.calls = []
        self.faults = collections.defaultdict(list)
        self.chaos = None        # dict of /test/chaos, with its random generator
        self.injected = collections.Counter()
        self.journal = []        # every effect of a sending call, for the soak's accounting

    def record(self, method, m=None, **extra):
        """Journals one effect of the bot (called with cond held)."""
        entry = {"seq": len(self.journal), "method": method}
        if m is not None:
            entry.update({"chat_id": m["chat_id"], "message_id": m["message_id"], "text": m.get("text"),
                          "caption": m.get("caption"), "reply_markup": m.get("reply_markup")})
        entry.update(extra)
        self.journal.append(entry)

    def draw_chaos(self, method):
        """The random fault for this call, if any: "429", "500", "drop", "slow" or None."""
        with self.cond:
            c = self.chaos
            if c is None or (c["methods"] and method not in c["methods"]):
                return None
            x = c["random"].random()
            for kind in ("429", "500", "drop", "slow"):
                x -= c["p_" + kind]
                if x < 0:
                    self.injected[kind] += 1
                    return kind
            return None

    def add_update(self, body):
        with self.cond:
            body["update_id"] = self.next_update
            self.next_update += 1
            self.updates.append(body)
            self.cond.notify_all()
            return body["update_id"]

    def add_file(self, data, name, lie=False):
        file_id = f"F{self.next_file}"
        self.next_file += 1
        self.files[file_id] = {"data": data, "name": name, "path": f"documents/file_{file_id}", "lie": lie}
        return file_id


bots = collections.defaultdict(Bot)
bots_lock = threading.Lock()


def bot_of(token):
    with bots_lock:
        return bots[token]


def now():
    return int(time.time())


def chat_json(chat_id):
    return {"id": chat_id, "type": "private" if chat_id > 0 else "group"}


def message_json(m):
    out = {"message_id": m["message_id"], "date": m["date"], "chat": chat_json(m["chat_id"]),
           "from": {"id": 777, "is_bot": True, "first_name": "mlcloud test bot", "username": "mlcloud_test_bot"}}
    if m.get("text") is not None:
        out["text"] = m["text"]
    if m.get("document"):
        out["document"] = {k: v for k, v in m["document"].items() if k != "content_base64"}
        if m.get("caption"):
            out["caption"] = m["caption"]
    if m.get("reply_markup"):
        out["reply_markup"] = m["reply_markup"]
    if m["edits"]:
        out["edit_date"] = now()
    return out


def parse_markup(value):
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in value.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data", "")
            if len(data.encode()) > 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if value == {"inline_keyboard": []}:
        return None
    return value


def need(params, name):
    if params.get(name) in (None, ""):
        raise ApiError(400, f"Bad Request: {name} is empty" if name != "text" else "Bad Request: message text is empty")
    return params[name]


def check_text(text, parse_mode, limit):
    try:
        units = visible_units(text, parse_mode)
    except (BadHtml, Exception) as e:  # html.parser raises its own errors too
        raise ApiError(400, f"Bad Request: can't parse entities: {e}")
    if units == 0:
        raise ApiError(400, "Bad Request: message text is empty")
    if units > limit:
        raise ApiError(400, "Bad Request: message is too long")


def find_message(bot, params):
    chat_id = int(need(params, "chat_id"))
    message_id = int(need(params, "message_id"))
    m = bot.messages.get(message_id)
    if m is None or m["chat_id"] != chat_id:
        raise ApiError(400, "Bad Request: message to edit not found")
    return m


def api(bot, method, params, files):
    if method == "getMe":
        return {"id": 777, "is_bot": True, "first_name": "mlcloud test bot", "username": "mlcloud_test_bot"}

    if method == "getUpdates":
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), MAX_POLL)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with bot.cond:
            bot.poll_generation += 1
            mine = bot.poll_generation
            bot.cond.notify_all()  # an older poll learns it was replaced
            while True:
                if offset > 0:
                    bot.offset = max(bot.offset, offset)
                    bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
                if bot.poll_generation != mine:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one "
                                        "bot instance is running")
                if bot.updates:
                    return bot.updates[:limit]
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                bot.cond.wait(left)

    if method == "sendMessage":
        chat_id = int(need(params, "chat_id"))
        text = need(params, "text")
        check_text(text, params.get("parse_mode"), MAX_TEXT)
        with bot.cond:
            m = {"message_id": bot.next_message, "chat_id": chat_id, "date": now(), "text": text,
                 "parse_mode": params.get("parse_mode"), "reply_markup": parse_markup(params.get("reply_markup")),
                 "edits": 0}
            bot.next_message += 1
            bot.messages[m["message_id"]] = m
            bot.record(method, m)
            return message_json(m)

    if method == "editMessageText":
        text = need(params, "text")
        check_text(text, params.get("parse_mode"), MAX_TEXT)
        with bot.cond:
            m = find_message(bot, params)
            markup = parse_markup(params.get("reply_markup"))
            if m["text"] == text and m["reply_markup"] == markup:
                raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                    "markup are exactly the same as a current content and reply markup of the message")
            m["text"] = text
            m["reply_markup"] = markup
            m["edits"] += 1
            bot.record(method, m)
            return message_json(m)

    if method == "editMessageReplyMarkup":
        with bot.cond:
            m = find_message(bot, params)
            markup = parse_markup(params.get("reply_markup"))
            if m["reply_markup"] == markup:
                raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                    "markup are exactly the same as a current content and reply markup of the message")
            m["reply_markup"] = markup
            m["edits"] += 1
            bot.record(method, m)
            return message_json(m)

    if method == "answerCallbackQuery":
        qid = need(params, "callback_query_id")
        with bot.cond:
            if bot.callbacks.get(qid) is not False:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            bot.callbacks[qid] = True
            bot.answers.append({"id": qid, "text": params.get("text", "")})
            bot.record(method, callback_query_id=qid, text=params.get("text", ""))
        return True

    if method == "getFile":
        file_id = need(params, "file_id")
        with bot.cond:
            f = bot.files.get(file_id)
        if f is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(f["data"]) > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": "u" + file_id, "file_size": len(f["data"]) + (1 if f["lie"] else 0),
                "file_path": f["path"]}

    if method == "sendDocument":
        chat_id = int(need(params, "chat_id"))
        up = files.get("document")
        if up is None:
            raise ApiError(400, "Bad Request: there is no document in the request")
        name, data = up
        if len(data) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        caption = params.get("caption", "")
        if caption:
            check_text(caption, params.get("parse_mode"), MAX_CAPTION)
        with bot.cond:
            file_id = bot.add_file(data, name)
            m = {"message_id": bot.next_message, "chat_id": chat_id, "date": now(), "text": None, "caption": caption,
                 "document": {"file_id": file_id, "file_unique_id": "u" + file_id, "file_name": name,
                              "file_size": len(data), "content_base64": base64.b64encode(data).decode()},
                 "reply_markup": None, "edits": 0}
            bot.next_message += 1
            bot.messages[m["message_id"]] = m
            bot.record(method, m, file_name=name)
            return message_json(m)

    raise ApiError(404, "Not Found: method not found")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the bot's connection pool expects
    # Buffered: the status line, headers and body leave in one write (flushed after each
    # request). Unbuffered, they were separate writes, and Nagle's algorithm with the client's
    # delayed ACK held every answer back about 40 ms.
    wbufsize = 64 * 1024

    def log_message(self, fmt, *args):  # quiet: the test output is what matters
        pass

    def reply(self, status, obj=None, raw=None, content_type="application/json"):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def params(self, raw):
        """The call's parameters from the query, JSON, a form or multipart; and uploaded files."""
        url = urllib.parse.urlsplit(self.path)
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        files = {}
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json") and raw:
            params.update(json.loads(raw))
        elif ctype.startswith("application/x-www-form-urlencoded"):
            params.update({k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()})
        elif ctype.startswith("multipart/form-data"):
            msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                data = part.get_payload(decode=True) or b""
                if filename is not None:
                    files[name] = (filename, data)
                else:
                    params[name] = data.decode()
        return params, files

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def route(self):
        raw = self.body()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        try:
            if path.startswith("/test/"):
                return self.control(path, raw, url)
            m = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
            if m:
                return self.download(bot_of(urllib.parse.unquote(m.group(1))), urllib.parse.unquote(m.group(2)))
            m = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
            if not m:
                return self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            token, method = urllib.parse.unquote(m.group(1)), m.group(2)
            bot = bot_of(token)
            entry = {"method": method, "t": time.time(), "status": 200}
            with bot.cond:
                bot.calls.append(entry)
            if token.startswith("0:"):
                entry["status"] = 401
                return self.reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            params, files = self.params(raw)
            with bot.cond:
                queue = bot.faults.get(method)
                fault = queue.pop(0) if queue else None
            if fault and fault.get("error_code"):
                code = int(fault["error_code"])
                entry["status"] = code
                out = {"ok": False, "error_code": code,
                       "description": fault.get("description") or f"Too Many Requests: retry after {fault.get('retry_after', 1)}"}
                if fault.get("retry_after") is not None:
                    out["parameters"] = {"retry_after": int(fault["retry_after"])}
                return self.reply(code, out)
            if self.chaotic(bot, method, entry):
                return
            result = api(bot, method, params, files)
            self.reply(200, {"ok": True, "result": result})
        except ApiError as e:
            if "entry" in locals():
                entry["status"] = e.code
            out = {"ok": False, "error_code": e.code, "description": e.description}
            self.reply(e.code, out)
        except (ValueError, KeyError, TypeError) as e:
            self.reply(400, {"ok": False, "error_code": 400, "description": f"Bad Request: {e}"})

    def chaotic(self, bot, method, entry):
        """Injects /test/chaos's random fault, if one is drawn; True when the call was answered."""
        kind = bot.draw_chaos(method)
        if kind is None:
            return False
        if kind == "slow":
            time.sleep(bot.chaos["slow_ms"] / 1000.0)
            return False
        if kind == "drop":  # nothing was done: the client sees the connection end, no answer
            entry["status"] = 0
            self.close_connection = True
            return True
        code = int(kind)
        entry["status"] = code
        out = {"ok": False, "error_code": code, "description": "Internal Server Error"}
        if code == 429:
            retry_after = int(bot.chaos["retry_after"])
            out = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                   "parameters": {"retry_after": retry_after}}
        self.reply(code, out)
        return True

    def download(self, bot, file_path):
        with bot.cond:
            found = [f for f in bot.files.values() if f["path"] == file_path]
        if not found:
            return self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        self.reply(200, raw=found[0]["data"], content_type="application/octet-stream")

    def control(self, path, raw, url):
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        body = json.loads(raw) if raw else {}
        if path == "/test/health":
            return self.reply(200, {"ok": True})
        bot = bot_of(body.get("token") or q.get("token", ""))
        if path == "/test/message":
            user = int(body["user_id"])
            chat = int(body.get("chat_id", user))
            msg = {"message_id": 100000 + bot.next_update, "date": now(),
                   "chat": {"id": chat, "type": body.get("chat_type", "private")},
                   "from": {"id": user, "is_bot": False, "first_name": "User", "username": f"user{user}"}}
            if "document" in body:
                d = body["document"]
                data = base64.b64decode(d.get("content_base64", ""))
                with bot.cond:
                    file_id = bot.add_file(data, d.get("file_name"), lie=bool(d.get("lie_size")))
                msg["document"] = {"file_id": file_id, "file_unique_id": "u" + file_id,
                                   "file_name": d.get("file_name"), "mime_type": "text/csv",
                                   "file_size": int(d.get("declared_size", len(data)))}
            else:
                msg["text"] = body.get("text", "")
                if msg["text"].startswith("/"):
                    msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(msg["text"].split()[0])}]
            return self.reply(200, {"update_id": bot.add_update({"message": msg})})
        if path == "/test/callback":
            user = int(body["user_id"])
            chat = int(body.get("chat_id", user))
            # The id is the update's own number, taken and used under one lock: presses that
            # arrive together on two threads must not share an id.
            with bot.cond:
                qid = f"Q{bot.next_update}"
                bot.callbacks[qid] = False
                query = {"id": qid, "from": {"id": user, "is_bot": False, "first_name": "User"},
                         "chat_instance": "ci", "data": body["data"],
                         "message": {"message_id": int(body["message_id"]), "date": now(),
                                     "chat": {"id": chat, "type": body.get("chat_type", "private")}}}
                update_id = bot.add_update({"callback_query": query})
            return self.reply(200, {"update_id": update_id, "id": qid})
        if path == "/test/fault":
            with bot.cond:
                for _ in range(int(body.get("count", 1))):
                    bot.faults[body["method"]].append(body)
            return self.reply(200, {"ok": True})
        if path == "/test/chaos" and self.command == "POST":
            with bot.cond:
                bot.chaos = None
                if any(k.startswith("p_") for k in body):
                    bot.chaos = {"random": random.Random(body.get("seed", 1)), "methods": set(body.get("methods") or []),
                                 "retry_after": body.get("retry_after", 1), "slow_ms": body.get("slow_ms", 500)}
                    for kind in ("429", "500", "drop", "slow"):
                        bot.chaos["p_" + kind] = float(body.get("p_" + kind, 0))
            return self.reply(200, {"ok": True})
        if path == "/test/chaos":
            with bot.cond:
                return self.reply(200, dict(bot.injected))
        if path == "/test/journal":
            since = int(q.get("since", 0))
            with bot.cond:
                return self.reply(200, {"next": len(bot.journal), "entries": bot.journal[since:]})
        if path == "/test/messages":
            chat = int(q["chat_id"])
            with bot.cond:
                out = [message_json(m) | {"edits": m["edits"],
                                          "content_base64": (m.get("document") or {}).get("content_base64")}
                       for m in bot.messages.values() if m["chat_id"] == chat]
            return self.reply(200, out)
        if path == "/test/answers":
            with bot.cond:
                return self.reply(200, list(bot.answers))
        if path == "/test/calls":
            with bot.cond:
                return self.reply(200, list(bot.calls))
        if path == "/test/state":
            with bot.cond:
                return self.reply(200, {"offset": bot.offset, "pending": len(bot.updates)})
        return self.reply(404, {"ok": False, "description": "no such test route"})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"Bot API fake on http://127.0.0.1:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
