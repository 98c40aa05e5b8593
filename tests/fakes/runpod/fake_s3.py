#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
"""RunPod's S3-compatible API over network volumes, as the contract fake serves it.

Follows shared/reference/runpod-api.md section 7: bucket = network volume id, region = the
volume's datacenter id, key = path below the volume root; path-style requests; AWS SigV4 with
the S3 API key (verified with botocore's own canonicalisation); clock skew tolerance 1 h.

Supported: HeadBucket, ListObjectsV2 (empty directories are listed too, as RunPod does),
PutObject (< 500 MB), GetObject (with Range), HeadObject, DeleteObject, CopyObject,
CreateMultipartUpload, UploadPart (<= 500 MB, no 5 MB minimum), CompleteMultipartUpload,
AbortMultipartUpload. Not supported, as on RunPod: DeleteObjects, presigned URLs, buckets.

Fault: "repeat_token" makes ListObjectsV2 answer a continuation token with the same
NextContinuationToken again (runpod-python issue 505).
"""
import datetime
import hashlib
import os
import shutil
import threading
import uuid
from urllib.parse import parse_qsl, unquote
from xml.sax.saxutils import escape

try:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    HAVE_BOTOCORE = True
except ImportError:  # pragma: no cover - botocore is installed where the tests run
    HAVE_BOTOCORE = False

MAX_PUT = 500 << 20
UPLOADS_DIR = ".s3compat_uploads"
S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def s3_error(status, code, message, resource=""):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
            f"<Resource>{escape(resource)}</Resource><RequestId>{uuid.uuid4().hex[:16]}</RequestId></Error>")
    return status, {"Content-Type": "application/xml"}, body.encode()


def http_date(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


def iso_date(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class S3Volumes:
    def __init__(self, fake):
        self.fake = fake  # the RunPodFake: volumes, faults, request log
        self.lock = threading.Lock()
        self.tokens = {}  # continuation token -> (bucket, prefix, start_after)

    # ------------------------------------------------------------------ helpers
    def volume_dir(self, volume_id):
        return os.path.join(self.fake.data_dir, "volumes", volume_id)

    def object_path(self, bucket, key):
        root = os.path.realpath(self.volume_dir(bucket))
        path = os.path.realpath(os.path.join(root, key))
        if path != root and not path.startswith(root + os.sep):
            return None
        return path

    def etag_of(self, path):
        h = hashlib.md5()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return '"' + h.hexdigest() + '"'

    # ------------------------------------------------------------------ SigV4
    def verify(self, method, raw_path, raw_query, headers, body):
        """(None, region) when the request is signed with the S3 API key, else (error response, None)."""
        def err(*a):
            return s3_error(*a), None

        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        if "X-Amz-Signature" in query or "X-Amz-Credential" in query:
            return err(403, "AccessDenied", "Presigned URLs are not supported by the RunPod S3 API")
        auth = headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return err(403, "AccessDenied", "Anonymous access is not allowed")
        parts = {}
        for item in auth[len("AWS4-HMAC-SHA256 "):].split(","):
            k, _, v = item.strip().partition("=")
            parts[k] = v
        try:
            access, date, region, service, terminal = parts["Credential"].split("/")
            signed = parts["SignedHeaders"].split(";")
            signature = parts["Signature"]
        except (KeyError, ValueError):
            return err(400, "AuthorizationHeaderMalformed", "The authorization header is malformed")
        if access != self.fake.s3_access_key:
            return err(403, "InvalidAccessKeyId", "The S3 API key does not exist")
        if service != "s3" or terminal != "aws4_request":
            return err(400, "AuthorizationHeaderMalformed", "wrong service or terminator in the credential scope")
        amz_date = headers.get("X-Amz-Date", "")
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            return err(403, "AccessDenied", "X-Amz-Date is missing or malformed")
        if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 3600:
            return err(403, "RequestTimeTooSkewed", "The difference between the request time and the server's "
                                                         "time is too large (1 h)")
        if not date or amz_date[:8] != date:
            return err(403, "SignatureDoesNotMatch", "The credential date does not match X-Amz-Date")
        sha = headers.get("X-Amz-Content-SHA256")
        if sha is None:
            return err(400, "InvalidRequest", "Missing required header x-amz-content-sha256")
        if sha != "UNSIGNED-PAYLOAD" and sha != hashlib.sha256(body).hexdigest():
            return err(400, "XAmzContentSHA256Mismatch", "The provided x-amz-content-sha256 does not match")
        if "host" not in signed:
            return err(403, "SignatureDoesNotMatch", "host must be signed")
        if HAVE_BOTOCORE:
            url = "http://" + headers.get("Host", "") + raw_path + ("?" + raw_query if raw_query else "")
            req = AWSRequest(method=method, url=url, data=body)
            for name in signed:
                value = headers.get(name)
                if value is None:
                    return err(403, "SignatureDoesNotMatch", f"signed header {name} is missing")
                req.headers[name] = value
            req.context["timestamp"] = amz_date
            signer = S3SigV4Auth(Credentials(access, self.fake.s3_secret), "s3", region)
            canonical = signer.canonical_request(req)
            expected = signer.signature(signer.string_to_sign(req, canonical), req)
            if expected != signature:
                self.fake.log("s3 signature mismatch; canonical request:\n" + canonical)
                return err(403, "SignatureDoesNotMatch",
                                "The request signature we calculated does not match the signature you provided")
        return None, region

    # ------------------------------------------------------------------ dispatch
    def handle(self, method, raw_path, raw_query, headers, body):
        denied, region = self.verify(method, raw_path, raw_query, headers, body)
        if denied:
            return denied
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        path = unquote(raw_path)
        bucket, _, key = path.lstrip("/").partition("/")
        if not bucket:
            return self.list_buckets(region)
        volume = self.fake.volumes.get(bucket)
        if volume is None:
            return s3_error(404, "NoSuchBucket", "The specified bucket does not exist", bucket)
        if volume["dataCenter"] != region:
            # Each datacenter has its own endpoint and region: a volume is reached through its own.
            return s3_error(400, "AuthorizationHeaderMalformed",
                            f"the region '{region}' is wrong; volume {bucket} is in '{volume['dataCenter']}'")
        fault = self.fake.take_fault("s3", unquote(raw_path + "?" + raw_query))
        if fault and fault["kind"] == "error_502":
            return 502, {"Content-Type": "text/html"}, b"<html>502 Bad Gateway</html>"
        if not key:
            if method == "HEAD":
                return 200, {}, b""
            if method == "GET" and query.get("list-type") == "2":
                return self.list_v2(bucket, query, fault)
            if method == "POST" and "delete" in query:
                return s3_error(501, "NotImplemented", "DeleteObjects is not supported")
            if method in ("PUT", "DELETE"):
                return s3_error(501, "NotImplemented", "Creating or deleting buckets is not supported")
            return s3_error(400, "InvalidRequest", "unsupported bucket operation")
        if method == "POST" and "uploads" in query:
            return self.create_upload(bucket, key)
        if method == "PUT" and "uploadId" in query:
            return self.upload_part(bucket, key, query, body)
        if method == "POST" and "uploadId" in query:
            return self.complete_upload(bucket, key, query, body)
        if method == "DELETE" and "uploadId" in query:
            return self.abort_upload(bucket, key, query)
        if method == "PUT" and "x-amz-copy-source" in {k.lower() for k in headers.keys()}:
            return self.copy_object(bucket, key, headers.get("x-amz-copy-source"))
        if method == "PUT":
            return self.put_object(bucket, key, body)
        if method in ("GET", "HEAD"):
            return self.get_object(bucket, key, headers.get("Range"), method == "HEAD")
        if method == "DELETE":
            return self.delete_object(bucket, key)
        return s3_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource")

    # ------------------------------------------------------------------ operations
    def list_buckets(self, region):
        items = "".join(f"<Bucket><Name>{v['id']}</Name><CreationDate>{iso_date(0)}</CreationDate></Bucket>"
                        for v in self.fake.volumes.values() if v["dataCenter"] == region)
        body = f'<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="{S3_NS}"><Buckets>{items}</Buckets></ListAllMyBucketsResult>'
        return 200, {"Content-Type": "application/xml"}, body.encode()

    def put_object(self, bucket, key, body):
        if len(body) >= MAX_PUT:
            return s3_error(400, "EntityTooLarge", "PutObject is limited to 500 MB: use a multipart upload")
        if key.endswith("/"):
            os.makedirs(self.object_path(bucket, key), exist_ok=True)
            return 200, {"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'}, b""
        path = self.object_path(bucket, key)
        if path is None:
            return s3_error(400, "InvalidArgument", "invalid key", key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".part-" + uuid.uuid4().hex
        with open(tmp, "wb") as f:
            f.write(body)
        os.replace(tmp, path)
        return 200, {"ETag": '"' + hashlib.md5(body).hexdigest() + '"'}, b""

    def get_object(self, bucket, key, range_header, head):
        path = self.object_path(bucket, key)
        if path is None or not os.path.isfile(path):
            if head:
                return 404, {}, b""
            return s3_error(404, "NoSuchKey", "The specified key does not exist.", key)
        size = os.path.getsize(path)
        st = os.stat(path)
        headers = {"ETag": self.etag_of(path), "Last-Modified": http_date(st.st_mtime),
                   "Content-Type": "application/octet-stream", "Accept-Ranges": "bytes"}
        start, end = 0, size - 1
        status = 200
        if range_header and range_header.startswith("bytes="):
            first, _, last = range_header[6:].partition("-")
            try:
                if first == "":
                    start = max(0, size - int(last))
                else:
                    start = int(first)
                    end = min(size - 1, int(last)) if last else size - 1
            except ValueError:
                return s3_error(400, "InvalidArgument", "bad Range")
            if start >= size:
                return s3_error(416, "InvalidRange", "The requested range is not satisfiable")
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(end - start + 1 if size else 0)
        if head:
            return status, headers, b""
        with open(path, "rb") as f:
            f.seek(start)
            data = f.read(end - start + 1) if size else b""
        return status, headers, data

    def delete_object(self, bucket, key):
        path = self.object_path(bucket, key)
        if path and os.path.isfile(path):
            os.remove(path)
        elif path and os.path.isdir(path) and not os.listdir(path):
            os.rmdir(path)
        return 204, {}, b""

    def copy_object(self, bucket, key, source):
        src = unquote(source or "").lstrip("/")
        src_bucket, _, src_key = src.partition("/")
        src_path = self.object_path(src_bucket, src_key) if src_bucket in self.fake.volumes else None
        if not src_path or not os.path.isfile(src_path):
            return s3_error(404, "NoSuchKey", "The specified key does not exist.", src)
        dst = self.object_path(bucket, key)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src_path, dst)
        etag = self.etag_of(dst)
        body = f'<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><LastModified>{iso_date(os.path.getmtime(dst))}</LastModified><ETag>{escape(etag)}</ETag></CopyObjectResult>'
        return 200, {"Content-Type": "application/xml"}, body.encode()

    def walk(self, bucket):
        """Every object key (and every empty directory as 'dir/'), sorted."""
        root = self.volume_dir(bucket)
        out = []
        for dirpath, dirnames, filenames in os.walk(root):
            rel = os.path.relpath(dirpath, root)
            if rel.split(os.sep)[0] == UPLOADS_DIR:
                continue
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            for name in filenames:
                if ".part-" in name:
                    continue
                full = os.path.join(dirpath, name)
                st = os.stat(full)
                out.append((prefix + name, st.st_size, st.st_mtime, full))
            if prefix and not dirnames and not filenames:
                out.append((prefix, 0, os.stat(dirpath).st_mtime, None))
        out.sort(key=lambda item: item[0])
        return out

    def list_v2(self, bucket, query, fault):
        prefix = query.get("prefix", "")
        try:
            max_keys = max(1, min(1000, int(query.get("max-keys", "1000"))))
        except ValueError:
            return s3_error(400, "InvalidArgument", "max-keys must be a number")
        token = query.get("continuation-token")
        start_after = query.get("start-after", "")
        if token:
            with self.lock:
                saved = self.tokens.get(token)
            if not saved or saved[0] != bucket:
                return s3_error(400, "InvalidArgument", "The continuation token provided is incorrect")
            start_after = saved[2]
        keys = [item for item in self.walk(bucket) if item[0].startswith(prefix) and item[0] > start_after]
        page, rest = keys[:max_keys], keys[max_keys:]
        contents = "".join(
            f"<Contents><Key>{escape(k)}</Key><LastModified>{iso_date(mtime)}</LastModified>"
            f"<ETag>{escape(self.etag_of(full) if full else chr(34) * 2)}</ETag><Size>{size}</Size>"
            f"<StorageClass>STANDARD</StorageClass></Contents>"
            for k, size, mtime, full in page)
        next_token = ""
        if rest:
            if fault and fault["kind"] == "repeat_token" and token:
                next_token = token  # the RunPod bug: the same token again
            else:
                next_token = uuid.uuid4().hex
                with self.lock:
                    self.tokens[next_token] = (bucket, prefix, page[-1][0])
        body = (f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="{S3_NS}"><Name>{bucket}</Name>'
                f"<Prefix>{escape(prefix)}</Prefix><KeyCount>{len(page)}</KeyCount><MaxKeys>{max_keys}</MaxKeys>"
                f"<IsTruncated>{'true' if rest else 'false'}</IsTruncated>"
                + (f"<ContinuationToken>{escape(token)}</ContinuationToken>" if token else "")
                + (f"<NextContinuationToken>{next_token}</NextContinuationToken>" if next_token else "")
                + contents + "</ListBucketResult>")
        return 200, {"Content-Type": "application/xml"}, body.encode()

    def upload_dir(self, bucket, upload_id):
        return os.path.join(self.volume_dir(bucket), UPLOADS_DIR, upload_id)

    def create_upload(self, bucket, key):
        upload_id = uuid.uuid4().hex
        d = self.upload_dir(bucket, upload_id)
        os.makedirs(d)
        with open(os.path.join(d, "key"), "w", encoding="utf-8") as f:
            f.write(key)
        body = (f'<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult xmlns="{S3_NS}">'
                f"<Bucket>{bucket}</Bucket><Key>{escape(key)}</Key><UploadId>{upload_id}</UploadId>"
                "</InitiateMultipartUploadResult>")
        return 200, {"Content-Type": "application/xml"}, body.encode()

    def upload_part(self, bucket, key, query, body):
        d = self.upload_dir(bucket, query["uploadId"])
        if not os.path.isdir(d):
            return s3_error(404, "NoSuchUpload", "The specified upload does not exist", key)
        try:
            number = int(query.get("partNumber", ""))
        except ValueError:
            return s3_error(400, "InvalidArgument", "partNumber must be a number")
        if not 1 <= number <= 10000:
            return s3_error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000")
        if len(body) > MAX_PUT:
            return s3_error(400, "EntityTooLarge", "UploadPart is limited to 500 MB")
        with open(os.path.join(d, f"{number:05d}"), "wb") as f:
            f.write(body)
        return 200, {"ETag": '"' + hashlib.md5(body).hexdigest() + '"'}, b""

    def complete_upload(self, bucket, key, query, body):
        import xml.etree.ElementTree as ET
        d = self.upload_dir(bucket, query["uploadId"])
        if not os.path.isdir(d):
            return s3_error(404, "NoSuchUpload", "The specified upload does not exist", key)
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return s3_error(400, "MalformedXML", "The XML you provided was not well-formed")
        parts = []
        for part in root.iter():
            if part.tag.endswith("Part"):
                number = etag = None
                for child in part:
                    if child.tag.endswith("PartNumber"):
                        number = int(child.text)
                    elif child.tag.endswith("ETag"):
                        etag = child.text
                parts.append((number, etag))
        if not parts or [p[0] for p in parts] != sorted(p[0] for p in parts):
            return s3_error(400, "InvalidPartOrder", "The list of parts was not in ascending order")
        md5s = b""
        path = self.object_path(bucket, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".part-" + uuid.uuid4().hex
        with open(tmp, "wb") as out:
            for number, etag in parts:
                part_path = os.path.join(d, f"{number:05d}")
                if not os.path.isfile(part_path):
                    os.remove(tmp)
                    return s3_error(400, "InvalidPart", f"part {number} was not uploaded")
                with open(part_path, "rb") as f:
                    data = f.read()
                digest = hashlib.md5(data)
                if etag and etag.strip('"') != digest.hexdigest():
                    os.remove(tmp)
                    return s3_error(400, "InvalidPart", f"the ETag of part {number} does not match")
                md5s += digest.digest()
                out.write(data)
        os.replace(tmp, path)
        shutil.rmtree(d, ignore_errors=True)
        etag = '"' + hashlib.md5(md5s).hexdigest() + f'-{len(parts)}"'
        body = (f'<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult xmlns="{S3_NS}">'
                f"<Bucket>{bucket}</Bucket><Key>{escape(key)}</Key><ETag>{escape(etag)}</ETag>"
                "</CompleteMultipartUploadResult>")
        return 200, {"Content-Type": "application/xml"}, body.encode()

    def abort_upload(self, bucket, key, query):
        d = self.upload_dir(bucket, query["uploadId"])
        if not os.path.isdir(d):
            return s3_error(404, "NoSuchUpload", "The specified upload does not exist", key)
        shutil.rmtree(d, ignore_errors=True)
        return 204, {}, b""
